// An outside review found: `openkbs-pulse channels | head -1` (a script reading only the first
// lines) crashed the CLI with an unhandled EPIPE 'error' event, a Node stack trace on stderr and
// exit code 1. Needs the built bin: `corepack pnpm -r build` first.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/openkbs-pulse.mjs', import.meta.url));
let server: Server;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // Enough rows that the output outlasts the pipe's buffer.
  const channels = Array.from({ length: 20_000 }, (_, i) => ({ channel: `channel-${i}`, subscribers: 1, presence: 0 }));
  const body = JSON.stringify({ channels });
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  env = { ...process.env, OPENKBS_KB_ID: 'kb', OPENKBS_API_KEY: 'sk-pipe-test-key-123456', OPENKBS_API_URL: apiUrl };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Runs the bin; `closeEarly` closes one of its output pipes as a reader that stops early does. */
async function runWithClosedPipe(args: string[], closeEarly: 'stdout' | 'stderr') {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  if (closeEarly === 'stdout') {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Read the first chunk, then close the pipe like `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
  } else {
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.destroy();
  }
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { exitCode, stderr, stdout };
}

describe('the CLI piped into a reader that stops early', () => {
  it('channels | head -1: exit 0, no stack trace, no unhandled error event', async () => {
    const { exitCode, stderr } = await runWithClosedPipe(['channels'], 'stdout');
    expect(stderr).not.toMatch(/Unhandled 'error' event|EPIPE|\n\s+at /);
    expect(exitCode).toBe(0);
  });

  it('a usage error with stderr closed: the usage exit code (2), not a crash (1)', async () => {
    const { exitCode, stdout } = await runWithClosedPipe(['frobnicate'], 'stderr');
    expect(stdout).toBe('');
    expect(exitCode).toBe(2);
  });
});
