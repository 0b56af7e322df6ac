// shareConnection in real Chromium (playwright-core): the cross-browser share suite
// (test-helpers/share-scenario.ts), plus 10 tabs of one user on one connection.
import { expect, it } from 'vitest';
import { chromiumKind } from '../../../test-helpers/browsers.js';
import { shareScenario } from '../../../test-helpers/share-scenario.js';

shareScenario(chromiumKind, (harness) => {
  it('10 tabs of one user: 1 connection (the latency and handover figures: bench/suites/share-connection.mjs)', async () => {
    const { browser, open, of } = harness();
    const context = await browser.newContext();
    for (let i = 0; i < 10; i++) await open(context, 'share-10');
    expect(of('share-10')).toHaveLength(1);
    await context.close();
  });
});
