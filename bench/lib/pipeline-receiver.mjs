// One receive pipeline in one process, for counting instructions (the `instructions` suite runs it
// under valgrind's callgrind):  node pipeline-receiver.mjs <subject> <messages> [client bundle]
// A `ws` server in this process writes pre-encoded message frames straight into the TCP socket,
// 50 per write, each write only after the subject has handed the previous 50 to the callback, so
// every subject reads the same bytes in the same chunks. Subjects as in receiver.mjs: `pulse` (the
// client under test, public API), `ws-min` (ws's 'message' + JSON.parse + callback) and
// `ws-onmessage` (the same through ws's MessageEvent).
import { createRequire } from 'node:module';
import { benchToken } from './util.mjs';
import { wsFrame } from './ws-frame.mjs';

const require = createRequire(import.meta.url);
const { WebSocketServer, WebSocket } = require('ws');
const [subject, messagesArg, clientBundle] = process.argv.slice(2);
const messages = Number(messagesArg);
const BATCH = 50;
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

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
await new Promise((resolve) => server.once('listening', resolve));
const accepted = new Promise((resolve) =>
  server.on('connection', (socket) => {
    // The client's heartbeat pings are answered, as the service does.
    socket.on('message', (raw) => String(raw).includes('"ping"') && socket.send(JSON.stringify({ type: 'pong', timestamp: Date.now() })));
    resolve(socket);
  }),
);
const url = `ws://127.0.0.1:${server.address().port}`;

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

const socket = (await within(accepted, 'the connection'))._socket;
// 40 distinct writes of 50 frames (the bench sender's frame: 130 bytes of JSON), reused in turn.
const writes = [];
for (let w = 0; w < 40; w++) {
  const frames = [];
  for (let i = 0; i < BATCH; i++) {
    const n = 100_000 + w * BATCH + i;
    frames.push(wsFrame(JSON.stringify({ type: 'message', channel: 'bench', data: { type: 'tick', text: 'hello subscribers', n, ok: true }, timestamp: 1_764_000_000_000 + n })));
  }
  writes.push(Buffer.concat(frames));
}
let expected = 0;
for (let w = 0; w < messages / BATCH; w++) {
  const done = new Promise((resolve) => (batchDone = resolve));
  socket.write(writes[w % writes.length]);
  for (let i = 0; i < BATCH; i++) expected += 100_000 + (w % writes.length) * BATCH + i;
  await within(done, `batch ${w + 1} of ${messages / BATCH}`);
}
// Every message reached the callback with its own data, once.
if (received !== messages || sink !== expected) throw new Error(`${subject}: received ${received} messages summing to ${sink}, expected ${messages} summing to ${expected}`);
process.exit(0);
