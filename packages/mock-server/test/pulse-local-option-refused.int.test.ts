// A flag value the service refuses (an --allowed-origins entry that is no origin, an empty
// --kb-id) ended pulse-local with exit 1, as a crash does, and a message naming the API option
// (allowedOrigins, kbId) rather than the flag. It is a usage error: exit 2, naming the flag and
// what the service said, as the flags pulse-local checks itself are.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/pulse-local.mjs', import.meta.url));

beforeAll(() => {
  execFileSync('corepack', ['pnpm', '--filter', '@openkbs-pulse/mock-server...', 'build'], { cwd: packageDir, stdio: 'ignore' });
}, 120_000);

/** Runs the bin for up to 3 s: its exit code (null: still running), and its stderr. */
function run(args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [bin, ...args], { stdio: 'pipe' });
    let err = '';
    proc.stderr.on('data', (chunk: Buffer) => void (err += chunk));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve({ code: null, err });
    }, 3000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

it.each([
  [['--allowed-origins=app.example'], '--allowed-origins', /allowedOrigins: "app\.example"/],
  [['--kb-id='], '--kb-id', /kbId must be a non-empty string/],
])('%j is a usage error: exit 2 naming the flag', async (args, flag, said) => {
  const { code, err } = await run(['--json', ...args]);
  expect(code).toBe(2);
  expect(err).toMatch(new RegExp(`^pulse-local: ${flag}: `));
  expect(err).toMatch(said);
});
