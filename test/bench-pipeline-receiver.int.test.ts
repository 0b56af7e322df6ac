// bench/lib/pipeline-receiver.mjs (run under callgrind by the `instructions` suite) waits for
// every batch of 50 frames to reach the callback. A subject that drops or refuses frames (e.g. a
// client whose frame check starts refusing the bench frame) must fail the run, not hang it (an
// outside review found it hanging), and a run that completes has delivered every message once.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/** The receiver, with `deadline` ms for each of its waits. */
const start = (args: string[], deadline = '2000'): ChildProcess =>
  spawn(process.execPath, [receiver, ...args], { stdio: 'ignore', env: { ...process.env, PIPELINE_DEADLINE_MS: deadline } });

/** The exit code of `child`, or 'hung' (and killed) after `ms`. */
const exit = (child: ChildProcess, ms: number): Promise<number | null | 'hung'> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), resolve('hung')), ms);
    child.on('exit', (code) => (clearTimeout(timer), resolve(code)));
  });

/** The receiver's exit code, or 'hung' after `ms`. */
const run = (args: string[], ms: number): Promise<number | null | 'hung'> => exit(start(args), ms);

/** Pid and parent pid of every running sender of this checkout (another may run the bench meanwhile). */
function senders(): { pid: number; ppid: number }[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(senderPath))
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid]) => ({ pid: Number(pid), ppid: Number(ppid) }));
}

const receiver = fileURLToPath(new URL('../bench/lib/pipeline-receiver.mjs', import.meta.url));
const senderPath = fileURLToPath(new URL('../bench/lib/pipeline-sender.mjs', import.meta.url));
const wsPath = fileURLToPath(new URL('../packages/client/node_modules/ws/index.js', import.meta.url));

/**
 * A stub client module for the `pulse` subject: it connects with ws, reports 'connected' on open,
 * and its channel is `channel` (source text, `this.ws` in scope). Returns the file's path.
 */
function stubClient(file: string, channel: string): string {
  const stub = join(mkdtempSync(join(tmpdir(), 'pipeline-')), file);
  writeFileSync(
    stub,
    `import { createRequire } from 'node:module';
const { WebSocket } = createRequire(import.meta.url)(${JSON.stringify(wsPath)});
export default class {
  constructor({ endpoint }) { this.ws = new WebSocket(endpoint); }
  ${channel}
  onStateChange(cb) { this.ws.once('open', () => cb('connected')); return () => {}; }
}
`,
  );
  return stub;
}

/** Runs the receiver with `args`: it must fail (not hang, not succeed) and leave no sender behind. */
async function expectFailedRun(args: string[], ms: number): Promise<void> {
  const code = await run(args, ms);
  expect(code).not.toBe('hung');
  expect(code).not.toBe(0);
  // The sender (a process of its own, so that its listeners do not weigh on the subject's count)
  // ends with the receiver, also when the run fails.
  await expect.poll(senders, { timeout: 5_000 }).toEqual([]);
}

it('a subject that receives no frames makes pipeline-receiver fail, not hang', async () => {
  // A client that connects and reports 'connected', but whose subscribe never delivers a frame.
  const stub = stubClient('stub-client.mjs', 'channel() { return { subscribe() {} }; }');
  await expectFailedRun(['pulse', '100', stub], 10_000);
}, 20_000);

it('a raw ws subject that gets every frame completes', async () => {
  expect(await run(['ws-min', '1000'], 15_000)).toBe(0);
  await expect.poll(senders, { timeout: 5_000 }).toEqual([]);
}, 20_000);

// Found by an outside review: the receiver noticed a sender that died by a signal only at its
// next deadline (120 s under callgrind), and one that died during start-up not at all.
it('a sender that dies fails the run at once, not at the deadline', async () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    const child = start(['ws-min', '1000000'], '120000');
    let sender: { pid: number; ppid: number } | undefined;
    while (!(sender = senders().find((s) => s.ppid === child.pid))) await new Promise((resolve) => setTimeout(resolve, 5));
    process.kill(sender.pid, signal);
    expect(await exit(child, 15_000)).toBe(1);
  }
}, 40_000);

// Found by an outside review: the frames repeat every 40 writes, so a subject that delivered
// every batch twice (a redelivery bug) matched the count and sum of a run of 4,000 messages.
it('a subject that delivers a batch twice fails the run', async () => {
  const stub = stubClient(
    'replaying-client.mjs',
    `channel() {
    const ws = this.ws;
    // Delivers each frame, and after every 50 the same 50 once more, before the next frame.
    return { subscribe(_type, cb) {
      const queue = []; let batch = []; let replaying = false;
      const pump = () => {
        while (!replaying && queue.length) {
          const d = queue.shift(); cb(d); batch.push(d);
          if (batch.length === 50) {
            const again = batch; batch = []; replaying = true;
            setImmediate(() => { for (const x of again) cb(x); replaying = false; setImmediate(pump); });
          }
        }
      };
      ws.on('message', (raw) => { queue.push(JSON.parse(raw.toString()).data); pump(); });
    } };
  }`,
  );
  await expectFailedRun(['pulse', '4000', stub], 15_000);
}, 30_000);
