// `node bench/run.mjs --quick` (or any --only run) leaves the committed results alone: only a full
// run rewrites bench/README.md and bench/results/latest.json. Runs the real runner on the fastest
// suite (bundle sizes, a few esbuild builds).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const file = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const read = (path: string) => (existsSync(file(path)) ? readFileSync(file(path), 'utf8') : undefined);

function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/run.mjs', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('bench/run.mjs partial runs', () => {
  it('--only=bundle --quick writes results/run.tmp.json, not README.md nor latest.json', async () => {
    const readme = read('bench/README.md');
    const latest = read('bench/results/latest.json');
    rmSync(file('bench/results/run.tmp.json'), { force: true });

    const { code, stderr } = await runBench(['--only=bundle', '--quick']);
    expect(code, stderr).toBe(0);

    expect(read('bench/README.md')).toBe(readme);
    expect(read('bench/results/latest.json')).toBe(latest);
    const written = JSON.parse(read('bench/results/run.tmp.json') ?? '{}') as {
      full: boolean;
      suites: { bundle: { command: string; rows: { subject: string; ratio: number | null }[] } };
    };
    expect(written.full).toBe(false);
    expect(written.suites.bundle.command).toBe('node bench/run.mjs --only=bundle --quick');
    expect(written.suites.bundle.rows.find((r) => r.subject === 'openkbs-pulse')?.ratio).toBe(1);
  }, 60_000);

  it('refuses an unknown suite name (exit 2) and writes nothing', async () => {
    const latest = read('bench/results/latest.json');
    const { code, stderr } = await runBench(['--only=nope']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown suite(s): nope');
    expect(read('bench/results/latest.json')).toBe(latest);
  });
});
