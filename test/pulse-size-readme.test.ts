// The size of pulse.js the READMEs state is the size of the built file, written by
// scripts/pulse-size.mjs (one source), never typed by hand.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript script
import { formatBytes, pulseJsGzipBytes, sizeReadmes } from '../scripts/pulse-size.mjs';

const built = existsSync(fileURLToPath(new URL('../packages/client/pulse.js', import.meta.url)));
if (!built) console.warn('[pulse-size] pulse.js not built: run `corepack pnpm build` (the root test command builds first)');

interface SizeReadme {
  path: string;
  text: string;
  expected: string;
}

describe('pulse.js size in the READMEs', () => {
  it.skipIf(!built)('every marked size is the gzip size of the built pulse.js (else: node scripts/pulse-size.mjs --write)', () => {
    const bytes = (pulseJsGzipBytes as () => number)();
    const readmes = (sizeReadmes as (bytes: number) => SizeReadme[])(bytes);
    expect(readmes.map((r) => r.path)).toContain('packages/client/README.md');
    for (const { path, text, expected } of readmes) {
      expect(text, `${path}: run node scripts/pulse-size.mjs --write`).toBe(expected);
      expect(text).toContain(`<!-- pulse.js gzip -->${(formatBytes as (n: number) => string)(bytes)}<!-- /pulse.js gzip -->`);
    }
  });

  it('formats like the prose around it', () => {
    expect((formatBytes as (n: number) => string)(5115)).toBe('5,115 bytes');
  });
});
