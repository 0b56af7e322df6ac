// One receiving client in its own process (client receive benchmark), driven over IPC:
//   node receiver.mjs <subject> <url> [client bundle]
// Only this process's CPU is measured, and nothing else runs in it: no harness, no sender, no
// other subject's garbage. Every subject calls the same `callback` with the message data.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { benchToken, serveIpc } from './util.mjs';

const require = createRequire(import.meta.url);
const { WebSocket: WsWebSocket } = require('ws');
const [subject, url, clientBundle] = process.argv.slice(2);
const CHANNEL = 'bench';

// TCP reads (socket 'data' chunks) per round: how the input was chunked for this subject. The same
// ws class (a subclass that counts them) for every subject; one call per read, not per message.
let reads = 0;
class WebSocket extends WsWebSocket {
  constructor(...args) {
    super(...args);
    this.once('open', () => this._socket.on('data', () => void reads++));
  }
}

let count = 0;
let target = Infinity;
let sink = 0;
let onTarget = () => {};
// The user's callback, the same for every subject.
const callback = (data) => {
  sink += data.n;
  if (++count === target) onTarget();
};

/** The subjects: how each one connects and hands message data to `callback`. */
const SUBJECTS = {
  // The client under test, through its public API only.
  async pulse() {
    const { default: Pulse } = await import(clientBundle);
    const pulse = new Pulse({ kbId: 'kb', token: benchToken('kb'), endpoint: url, WebSocket });
    pulse.channel(CHANNEL).subscribe('tick', callback);
    await new Promise((resolve) => {
      const stop = pulse.onStateChange((state) => state === 'connected' && (stop(), resolve()));
    });
  },
  // The least work a client can do with these frames: ws's own 'message' event, JSON.parse, callback.
  async 'ws-min'() {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', (raw) => callback(JSON.parse(raw.toString()).data));
    await new Promise((resolve) => ws.once('open', resolve));
  },
  // The same through ws's WHATWG `onmessage` (a MessageEvent per message), the API a portable
  // client (browser and Node) uses: the difference to ws-min is what that API costs.
  async 'ws-onmessage'() {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.onmessage = (event) => callback(JSON.parse(event.data).data);
    await new Promise((resolve) => ws.once('open', resolve));
  },
  // The old suite's baseline handler (type/channel/event checks before the callback).
  async 'ws-checked'() {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.type === 'message' && frame.channel === CHANNEL && frame.data.type === 'tick') callback(frame.data);
    });
    await new Promise((resolve) => ws.once('open', resolve));
  },
};

if (!SUBJECTS[subject]) throw new Error(`unknown receiver subject ${subject}`);
let cpuMark;
let wallMark;
let finished;
serveIpc({
  // Starts counting `n` messages from now; `result` waits for them.
  arm: ({ n }) => {
    count = 0;
    sink = 0;
    reads = 0;
    target = n;
    finished = new Promise((resolve) => (onTarget = resolve));
    globalThis.gc?.();
    wallMark = performance.now();
    cpuMark = process.cpuUsage();
    return true;
  },
  result: async () => {
    await finished;
    const used = process.cpuUsage(cpuMark);
    const seconds = (performance.now() - wallMark) / 1000;
    return { cpuUs: used.user + used.system, seconds, count, sink, reads };
  },
});
await SUBJECTS[subject]();
process.send({ ready: { subject } });
