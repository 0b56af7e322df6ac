#!/usr/bin/env node
// The size of pulse.js, in one place: measured from the built file (gzip level 9, as the size test
// in packages/client/test/bundle.test.ts measures it) and written into the READMEs between
// `<!-- pulse.js gzip -->` and `<!-- /pulse.js gzip -->` markers, so no README states it by hand.
// The budget and goal the READMEs quote (`<!-- pulse.js budget -->`, `<!-- pulse.js goal -->`)
// are read from that size test's BUDGET_BYTES and GOAL_BYTES.
//   node scripts/pulse-size.mjs          checks the READMEs, exit 1 if one is out of date
//   node scripts/pulse-size.mjs --write  rewrites them (run after `corepack pnpm build`)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The READMEs that state the size. */
export const SIZE_READMES = ['packages/client/README.md'];
const marker = (name) => new RegExp(`(<!-- pulse\\.js ${name} -->)[^<]*(<!-- \\/pulse\\.js ${name} -->)`, 'g');
const MARKED = marker('gzip');

/** BUDGET_BYTES and GOAL_BYTES of the size test. */
export function sizeLimits() {
  const test = readFileSync(`${root}packages/client/test/bundle.test.ts`, 'utf8');
  const read = (name) => {
    const match = new RegExp(`const ${name} = (\\d+);`).exec(test);
    if (!match) throw new Error(`packages/client/test/bundle.test.ts has no "const ${name} = <number>;"`);
    return Number(match[1]);
  };
  return { budget: read('BUDGET_BYTES'), goal: read('GOAL_BYTES') };
}

/** The gzip size (level 9) of the built pulse.js, in bytes. */
export function pulseJsGzipBytes() {
  return gzipSync(readFileSync(`${root}packages/client/pulse.js`), { level: 9 }).length;
}

/** `5,115 bytes`: how the READMEs write it. */
export const formatBytes = (bytes) => `${bytes.toLocaleString('en-US')} bytes`;

/** Each README with its text and the text it should have; a README without a marker is an error. */
export function sizeReadmes(bytes = pulseJsGzipBytes()) {
  return SIZE_READMES.map((path) => {
    const text = readFileSync(`${root}${path}`, 'utf8');
    if (!MARKED.test(text)) throw new Error(`${path} has no <!-- pulse.js gzip -->…<!-- /pulse.js gzip --> marker`);
    MARKED.lastIndex = 0;
    const { budget, goal } = sizeLimits();
    const expected = text
      .replace(MARKED, `$1${formatBytes(bytes)}$2`)
      .replace(marker('budget'), `$1${formatBytes(budget)}$2`)
      .replace(marker('goal'), `$1${formatBytes(goal)}$2`);
    return { path, text, expected };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = pulseJsGzipBytes();
  const stale = sizeReadmes(bytes).filter(({ text, expected }) => text !== expected);
  if (process.argv.includes('--write')) {
    for (const { path, expected } of stale) writeFileSync(`${root}${path}`, expected);
    console.log(`pulse.js: ${formatBytes(bytes)} gzip; updated: ${stale.map((s) => s.path).join(', ') || 'nothing'}`);
  } else if (stale.length > 0) {
    console.error(`pulse.js is ${formatBytes(bytes)} gzip; out of date: ${stale.map((s) => s.path).join(', ')}. Run: node scripts/pulse-size.mjs --write`);
    process.exitCode = 1;
  } else {
    console.log(`pulse.js: ${formatBytes(bytes)} gzip; READMEs up to date`);
  }
}
