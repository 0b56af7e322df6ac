// An outside review found: sizes stated by hand in the docs drifted from the builds and budgets.
// - docs/share-connection.md: `pulse-share.js` is "the same bundle plus sharing, about 2 KB more
//   gzip"; it is about 3.4 KB more (15,546 B against pulse.js's 12,062 B when found).
// - docs/react.md: "3,862 bytes of `dist/react.mjs` ... `react-bundle.test.ts` measures it and holds
//   a 3,900-byte budget"; the test's budget is 3,920 bytes and the entry measures 3,918 bytes, over
//   the budget the page states.
// pulse.js's own size is written into its README by scripts/pulse-size.mjs and checked; these two
// pages are not. The numbers are read from the pages and compared with the built files (measured
// as bundle.test.ts, share-bundle.test.ts and react-bundle.test.ts measure them) and that budget.
//
// Sizes change with nearly every client change (and every branch merged), so the pages state them
// in rounded KB, which this test holds to half a KB of the measured size: react.md no longer gives
// the entry's exact bytes (the review's test compared them exactly, which any change to the
// entry would have broken). The budget, which only changes in a commit that edits
// react-bundle.test.ts, is still compared exactly.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const page = (path: string) => readFileSync(root(path), 'utf8').replace(/\s+/g, ' ');
const number = (text: string) => Number(text.replace(/,/g, ''));
const gzip = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;
/** How far a size stated in KB may be from the measured one. */
const TOLERANCE_KB = 0.5;

const scripts = ['packages/client/pulse.js', 'packages/client/pulse-share.js'];
const reactBuilt = existsSync(root('packages/client/dist/react.mjs'));
if (!scripts.every((path) => existsSync(root(path))) || !reactBuilt) console.warn('[docs-bundle-sizes] not built: run `corepack pnpm build`');

describe('docs/share-connection.md: pulse-share.js against pulse.js', () => {
  it.skipIf(!scripts.every((path) => existsSync(root(path))))('"about N KB more gzip" is the measured difference (to half a KB)', () => {
    const match = /pulse-share\.js`?\*{0,2} instead \(the same bundle plus sharing, about ([\d.]+) KB more gzip\)/.exec(page('docs/share-connection.md'));
    expect(match, 'the page states how much more pulse-share.js weighs').not.toBeNull();
    const [pulse, share] = scripts.map((path) => gzip(readFileSync(root(path))));
    const moreKb = (share! - pulse!) / 1024;
    expect(Math.abs(moreKb - Number(match![1])), `pulse-share.js is ${share} B gzip, pulse.js ${pulse} B: ${moreKb.toFixed(2)} KB more`).toBeLessThanOrEqual(TOLERANCE_KB);
  });
});

describe('docs/react.md: the size of openkbs-pulse/react', () => {
  const stated = () => {
    const match =
      /About ([\d.]+) KB minified \+ gzip \(`dist\/react\.mjs` with React and the client left out; `packages\/client\/test\/react-bundle\.test\.ts` measures it and holds a ([\d,]+)-byte budget\)/.exec(
        page('docs/react.md'),
      );
    expect(match, 'the page states the size and the budget').not.toBeNull();
    return { kb: Number(match![1]), budget: number(match![2]!) };
  };

  it('the budget it states is the one react-bundle.test.ts holds', () => {
    const test = readFileSync(root('packages/client/test/react-bundle.test.ts'), 'utf8');
    const budget = /const BUDGET_BYTES = (\d+);/.exec(test);
    expect(budget).not.toBeNull();
    expect(stated().budget).toBe(Number(budget![1]));
  });

  it.skipIf(!reactBuilt)('the size it states, and the client README too, is the measured one to half a KB (minified + gzip, imports left out)', async () => {
    const result = await build({
      entryPoints: [root('packages/client/dist/react.mjs')],
      bundle: true,
      minify: true,
      write: false,
      format: 'esm',
      external: ['react', 'openkbs-pulse', '@openkbs-pulse/protocol'],
      logLevel: 'warning',
    });
    const measuredKb = gzip(result.outputFiles[0]!.contents) / 1024;
    const readme = /`usePublish`, `useConnectionState`\. .*? About ([\d.]+) KB minified \+ gzip\. See \[docs\/react\.md\]/.exec(page('packages/client/README.md'));
    expect(readme, 'the client README states the size of openkbs-pulse/react').not.toBeNull();
    for (const [where, kb] of [
      ['docs/react.md', stated().kb],
      ['packages/client/README.md', Number(readme![1])],
    ] as const) {
      expect(Math.abs(measuredKb - kb), `${where} says about ${kb} KB; it is ${measuredKb.toFixed(2)} KB`).toBeLessThanOrEqual(TOLERANCE_KB);
    }
  });
});
