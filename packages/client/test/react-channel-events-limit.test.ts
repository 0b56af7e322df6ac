// An outside review found: useChannelEvents kept returning the longer list after its limit went down, until the next message.
// Expected: useChannelEvents(channel, event, { limit }) returns "the latest `limit` payloads"
// (docs/react.md Hooks table; channel.ts: "How many of the latest messages to keep"). The project's
// React contract includes options changing between renders. When `limit` goes down, the hook keeps
// returning the old, longer list (channel.ts trims only inside the message handler, so nothing is
// trimmed until the next message arrives): a list of 5 for `limit: 2`.
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, useChannelEvents } from '../src/react/index.js';
import { setupPulse } from './helpers.js';

afterAll(closeDomWindow);
afterEach(cleanup);

let list: readonly object[] = [];
function Feed({ limit }: { limit: number }): ReactNode {
  list = useChannelEvents('chat', 'message', { limit });
  return null;
}
const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

describe('useChannelEvents when limit changes', () => {
  it('a smaller limit returns at most that many (the latest ones)', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    const view = render(h(PulseProvider, { client: pulse }, h(Feed, { limit: 10 })));
    await tick();
    for (let n = 1; n <= 5; n++) {
      act(() => ws.last.receive({ type: 'message', channel: 'chat', data: { type: 'message', n }, timestamp: n }));
    }
    await tick();
    expect(list.map((m) => (m as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);

    view.rerender(h(PulseProvider, { client: pulse }, h(Feed, { limit: 2 })));
    await tick();
    expect(list.map((m) => (m as { n: number }).n)).toEqual([4, 5]);
    // The same list object on a render that changes nothing (a memo or effect depending on it stays).
    const before = list;
    view.rerender(h(PulseProvider, { client: pulse }, h(Feed, { limit: 2 })));
    await tick();
    expect(list).toBe(before);
    // The next message keeps the latest two.
    act(() => ws.last.receive({ type: 'message', channel: 'chat', data: { type: 'message', n: 6 }, timestamp: 6 }));
    await tick();
    expect(list.map((m) => (m as { n: number }).n)).toEqual([5, 6]);
  });
});
