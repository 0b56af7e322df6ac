// Client receive throughput: messages/s parsed and dispatched to a callback by the
// `openkbs-pulse` client vs raw `ws` + JSON.parse + the same callback (the ceiling).
// A raw `ws` server in its own process sends the same pre-encoded frames to both.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { startServer } from '../lib/servers.mjs';
import { bundleSource, interleave, median, progress } from '../lib/util.mjs';

const require = createRequire(import.meta.url);
const { WebSocket } = require('ws');
const CHANNEL = 'bench';

export async function run({ quick = false } = {}) {
  const messages = quick ? 50_000 : 200_000;
  const rounds = quick ? 2 : 5;
  const { default: Pulse } = await import(await bundleSource('client', 'packages/client/src/index.ts'));
  const server = await startServer('blast');
  const bar = progress('client receive');
  const rates = { pulse: [], raw: [] };
  try {
    for (const kind of ['pulse', 'raw', ...interleave(['pulse', 'raw'], rounds)].map((k, i) => [k, i >= 2])) {
      const [subject, record] = kind;
      bar.update(`${subject} ${record ? '' : '(warm-up) '}${messages} messages`);
      let count = 0;
      let resolveDone;
      const done = new Promise((resolve) => (resolveDone = resolve));
      let sink = 0;
      const callback = (data) => {
        sink += data.n;
        if (++count === messages) resolveDone();
      };
      let close;
      if (subject === 'pulse') {
        const pulse = new Pulse({ kbId: 'kb', token: 'h.p.s', endpoint: server.info.url, WebSocket, heartbeatIntervalMs: 600_000 });
        pulse.channel(CHANNEL).subscribe('tick', callback);
        await new Promise((resolve) => {
          const stop = pulse.onStateChange((s) => s === 'connected' && (stop(), resolve()));
        });
        close = () => pulse.disconnect();
      } else {
        const ws = new WebSocket(server.info.url, { perMessageDeflate: false });
        ws.on('message', (raw) => {
          const frame = JSON.parse(raw.toString());
          if (frame.type === 'message' && frame.channel === CHANNEL && frame.data.type === 'tick') callback(frame.data);
        });
        await new Promise((resolve) => ws.once('open', resolve));
        close = () => ws.terminate();
      }
      while ((await server.request('connections')) !== 1) await new Promise((r) => setTimeout(r, 10));
      const t0 = performance.now();
      await server.request('blast', { n: messages, channel: CHANNEL });
      await done;
      const seconds = (performance.now() - t0) / 1000;
      close();
      while ((await server.request('connections')) !== 0) await new Promise((r) => setTimeout(r, 10));
      if (record) rates[subject].push(messages / seconds);
      if (sink !== messages) throw new Error('lost messages');
    }
  } finally {
    await server.stop();
  }
  bar.done(`${rounds} rounds × ${messages} messages`);
  const pulse = median(rates.pulse);
  const raw = median(rates.raw);
  return {
    title: `Client receive throughput (${messages.toLocaleString('en-US')} messages, server in its own process)`,
    ratioLabel: 'vs raw ws + JSON.parse',
    rows: [
      { subject: 'openkbs-pulse client (Pulse, subscribe(event, cb))', value: pulse, unit: 'msg/s', ratio: pulse / raw },
      { subject: 'raw ws + JSON.parse + same callback (ceiling)', value: raw, unit: 'msg/s', ratio: 1 },
    ],
    summary: { pulse, raw },
    note: 'Rate = messages / time from asking the server to send until the last callback; medians over interleaved rounds after one warm-up each.',
  };
}
