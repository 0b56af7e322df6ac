// scripts/lib/stale-packages.mjs: which packages need a build, and ensureBuilt(), which the demo and
// every example's start.mjs call so that they run with one command on a fresh clone.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript script library
import { ensureBuilt, stalePackages } from '../scripts/lib/stale-packages.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
let root: string;

function file(path: string, text: string, mtimeSeconds: number): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  utimesSync(full, mtimeSeconds, mtimeSeconds);
  // Folder mtimes count too: keep them old.
  utimesSync(dirname(full), 1, 1);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'stale-packages-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('stalePackages', () => {
  it('is stale without dist, fresh after a build, stale again after a source edit', () => {
    file('packages/a/package.json', '{}', 100);
    file('packages/a/src/index.ts', 'export {}', 100);
    expect(stalePackages(root, ['packages/a'])).toEqual(['packages/a']);
    file('packages/a/dist/index.mjs', 'export {}', 200);
    expect(stalePackages(root, ['packages/a'])).toEqual([]);
    file('packages/a/src/index.ts', 'export const x = 1', 300);
    expect(stalePackages(root, ['packages/a'])).toEqual(['packages/a']);
  });

  it('needs the script-tag bundle a package names in unpkg (the live-posts page loads pulse.js)', () => {
    file('packages/c/package.json', JSON.stringify({ unpkg: 'pulse.js' }), 100);
    file('packages/c/src/index.ts', 'export {}', 100);
    file('packages/c/dist/index.mjs', 'export {}', 200);
    expect(stalePackages(root, ['packages/c'])).toEqual(['packages/c']);
    file('packages/c/pulse.js', 'var Pulse', 200);
    expect(stalePackages(root, ['packages/c'])).toEqual([]);
  });
});

describe('ensureBuilt', () => {
  const calls: { command: string; args: string[]; cwd: string }[] = [];
  const run = (status: number) => (command: string, args: string[], options: { cwd: string }) => {
    calls.push({ command, args, cwd: options.cwd });
    return { status };
  };
  beforeEach(() => void calls.splice(0));

  it('runs the workspace build when a package is stale, with its output shown', () => {
    file('packages/a/package.json', '{}', 100);
    file('packages/a/src/index.ts', 'export {}', 100);
    const log: string[] = [];
    expect(ensureBuilt({ root, dirs: ['packages/a'], run: run(0), log: (l: string) => log.push(l) })).toEqual(['packages/a']);
    expect(calls).toEqual([{ command: 'corepack', args: ['pnpm', '--filter', './packages/*', 'build'], cwd: root }]);
    expect(log.join('\n')).toContain('packages/a');
  });

  it('does nothing when everything is built', () => {
    file('packages/a/package.json', '{}', 100);
    file('packages/a/src/index.ts', 'export {}', 100);
    file('packages/a/dist/index.mjs', 'export {}', 200);
    expect(ensureBuilt({ root, dirs: ['packages/a'], run: run(0), log: () => undefined })).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('throws when the build fails', () => {
    file('packages/a/package.json', '{}', 100);
    expect(() => ensureBuilt({ root, dirs: ['packages/a'], run: run(2), log: () => undefined })).toThrow(/build failed \(exit 2\)/);
  });
});

describe('one command on a fresh clone', () => {
  // Static imports are loaded before any code of the module runs: a static import of a workspace
  // package (or of a file that imports one) fails with ERR_MODULE_NOT_FOUND before ensureBuilt() can
  // build it. So a launcher imports only node: built-ins and the build check statically.
  const launchers = ['scripts/demo.mjs', 'examples/chat/start.mjs', 'examples/live-posts/start.mjs', 'examples/photo-gallery/start.mjs'];
  it.each(launchers)('%s calls ensureBuilt() before importing any package', (launcher) => {
    const source = readFileSync(join(repo, launcher), 'utf8');
    const staticImports = [...source.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
    expect(staticImports.filter((specifier) => !specifier.startsWith('node:') && !specifier.endsWith('/lib/stale-packages.mjs'))).toEqual([]);
    expect(source).toMatch(/ensureBuilt\(/);
    expect(source.indexOf('ensureBuilt(')).toBeLessThan(source.search(/await import\(/));
  });
});
