// bench/lib/pipeline-receiver.mjs (run under callgrind by the `instructions` suite) waits for
// every batch of 50 frames to reach the callback. A subject that drops or refuses frames (e.g. a
// client whose frame check starts refusing the bench frame) must fail the run, not hang it (an
// outside review found it hanging), and a run that completes has delivered every message once.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/** The receiver's exit code, or 'hung' after `ms`. */
function run(args: string[], ms: number): Promise<number | null | 'hung'> {
  const child = spawn(process.execPath, [receiver, ...args], { stdio: 'ignore', env: { ...process.env, PIPELINE_DEADLINE_MS: '2000' } });
  return new Promise((resolve) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), resolve('hung')), ms);
    child.on('exit', (code) => (clearTimeout(timer), resolve(code)));
  });
}

/** Command lines of running pipeline senders. */
function senders(): string[] {
  const lines = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n');
  return lines.filter((line) => line.includes('pipeline-sender.mjs'));
}

const receiver = fileURLToPath(new URL('../bench/lib/pipeline-receiver.mjs', import.meta.url));
const wsPath = fileURLToPath(new URL('../packages/client/node_modules/ws/index.js', import.meta.url));

it('a subject that receives no frames makes pipeline-receiver fail, not hang', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-'));
  const stub = join(dir, 'stub-client.mjs');
  // A client that connects and reports 'connected', but whose subscribe never delivers a frame.
  writeFileSync(
    stub,
    `import { createRequire } from 'node:module';
const { WebSocket } = createRequire(import.meta.url)(${JSON.stringify(wsPath)});
export default class {
  constructor({ endpoint }) { this.ws = new WebSocket(endpoint); }
  channel() { return { subscribe() {} }; }
  onStateChange(cb) { this.ws.once('open', () => cb('connected')); return () => {}; }
}
`,
  );
  const code = await run(['pulse', '100', stub], 10_000);
  expect(code).not.toBe('hung');
  expect(code).not.toBe(0);
  // The sender (a process of its own, so that its listeners do not weigh on the subject's count)
  // ends with the receiver, also when the run fails.
  await expect.poll(senders, { timeout: 5_000 }).toEqual([]);
}, 20_000);

it('a raw ws subject that gets every frame completes', async () => {
  expect(await run(['ws-min', '1000'], 15_000)).toBe(0);
  await expect.poll(senders, { timeout: 5_000 }).toEqual([]);
}, 20_000);
