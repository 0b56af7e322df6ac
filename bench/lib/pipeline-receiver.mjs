// One receive pipeline, for counting instructions (the `instructions` suite runs this process
// under valgrind's callgrind):  node pipeline-receiver.mjs <subject> <messages> [client bundle]
// The sender (pipeline-sender.mjs, forked; callgrind does not follow it) writes pre-encoded
// message frames straight into the subject's TCP socket, 50 per write, each write only after the
// subject has handed the previous 50 to the callback, so every subject reads the same bytes in the
// same chunks, and this process runs nothing but the subject. Subjects as in receiver.mjs: `pulse`
// (the client under test, public API), `ws-min` (ws's 'message' + JSON.parse + callback) and
// `ws-onmessage` (the same through ws's MessageEvent).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BATCH, frameN } from './pipeline-frames.mjs';
import { benchToken } from './util.mjs';

const require = createRequire(import.meta.url);
const { WebSocket } = require('ws');
const [subject, messagesArg, clientBundle] = process.argv.slice(2);
const messages = Number(messagesArg);
// Each wait (connected, every batch) fails the run after this long instead of hanging: generous,
// because under callgrind everything runs some 50 times slower.
const DEADLINE_MS = Number(process.env.PIPELINE_DEADLINE_MS ?? 120_000);
if (!(messages > 0 && messages % BATCH === 0)) throw new Error(`messages must be a positive multiple of ${BATCH}`);

/** `promise`, or a failure naming `what` once DEADLINE_MS have passed. */
function within(promise, what) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${subject}: ${what} took over ${DEADLINE_MS} ms`)), DEADLINE_MS)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const sender = fork(fileURLToPath(new URL('./pipeline-sender.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
// The sender lives until this process ends (it is killed just before): any earlier end, by an
// exit code or a signal, fails the run at once rather than at the next deadline.
sender.on('exit', (code, signal) => {
  console.error(`${subject}: the sender ended early (${signal ?? `exit code ${code}`})`);
  process.exit(1);
});
/** The sender's next message with `key`. */
const fromSender = (key) => new Promise((resolve) => sender.on('message', (m) => key in m && resolve(m[key])));
const accepted = fromSender('connected');
const url = `ws://127.0.0.1:${await within(fromSender('port'), 'the sender to listen')}`;

let received = 0;
let sink = 0;
let batchDone = () => {};
const callback = (data) => {
  sink += data.n;
  if (++received % BATCH === 0) batchDone();
};

if (subject === 'pulse') {
  const { default: Pulse } = await import(clientBundle);
  const pulse = new Pulse({ kbId: 'kb', token: benchToken('kb'), endpoint: url, WebSocket });
  pulse.channel('bench').subscribe('tick', callback);
  await within(
    new Promise((resolve) => {
      const stop = pulse.onStateChange((state) => state === 'connected' && (stop(), resolve()));
    }),
    'connecting',
  );
} else if (subject === 'ws-min') {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('message', (raw) => callback(JSON.parse(raw.toString()).data));
} else if (subject === 'ws-onmessage') {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.onmessage = (event) => callback(JSON.parse(event.data).data);
} else throw new Error(`unknown subject ${subject}`);

await within(accepted, 'the connection');
let expected = 0;
for (let w = 0; w < messages / BATCH; w++) {
  const done = new Promise((resolve) => (batchDone = resolve));
  sender.send({ write: w });
  for (let i = 0; i < BATCH; i++) expected += frameN(w, i);
  await within(done, `batch ${w + 1} of ${messages / BATCH}`);
  // Checked per batch: writes repeat every WRITES batches, so a subject that delivered some
  // batches twice and others never could match the run's total count and sum.
  if (received !== (w + 1) * BATCH || sink !== expected) throw new Error(`${subject}: after batch ${w + 1}, received ${received} messages summing to ${sink}, expected ${(w + 1) * BATCH} summing to ${expected}`);
}
// Every message reached the callback with its own data, once.
if (received !== messages || sink !== expected) throw new Error(`${subject}: received ${received} messages summing to ${sink}, expected ${messages} summing to ${expected}`);
sender.kill();
process.exit(0);
