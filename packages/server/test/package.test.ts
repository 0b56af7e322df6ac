// package.json promises: the Node range covers what the dependencies need.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { engines?: { node?: string } };

/** The lowest version of a `>=a.b.c` range, as comparable numbers. */
function lowest(range: string | undefined): number[] {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range?.trim() ?? '');
  if (!match) throw new Error(`expected a ">=x.y.z" range, got ${String(range)}`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

const compare = (a: number[], b: number[]) => (a[0]! - b[0]!) || (a[1]! - b[1]!) || (a[2]! - b[2]!);

describe('package.json', () => {
  it('engines.node is at least what undici (a dependency) requires', () => {
    const own = readJson(join(PACKAGE_DIR, 'package.json'));
    const require = createRequire(join(PACKAGE_DIR, 'package.json'));
    const undiciJson = join(dirname(require.resolve('undici')), 'package.json');
    const undici = readJson(undiciJson);
    expect(compare(lowest(own.engines?.node), lowest(undici.engines?.node))).toBeGreaterThanOrEqual(0);
    expect(own.engines?.node).toBe('>=20.18.1');
  });
});
