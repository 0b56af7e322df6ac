#!/usr/bin/env node
// The size of pulse.js, in one place: measured from the built file (gzip level 9, as the size test
// in packages/client/test/bundle.test.ts measures it) and written into the READMEs between
// `<!-- pulse.js gzip -->` and `<!-- /pulse.js gzip -->` markers, so no README states it by hand.
//   node scripts/pulse-size.mjs          checks the READMEs, exit 1 if one is out of date
//   node scripts/pulse-size.mjs --write  rewrites them (run after `corepack pnpm build`)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The READMEs that state the size. */
export const SIZE_READMES = ['packages/client/README.md'];
const MARKED = /(<!-- pulse\.js gzip -->)[^<]*(<!-- \/pulse\.js gzip -->)/g;

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
    return { path, text, expected: text.replace(MARKED, `$1${formatBytes(bytes)}$2`) };
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
