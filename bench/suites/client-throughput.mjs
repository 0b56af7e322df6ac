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
  // Wall-clock rate is bounded by the sending server; CPU of this (receiving) process per message is not.
  const cpu = { pulse: [], raw: [] };
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
      const cpu0 = process.cpuUsage();
      await server.request('blast', { n: messages, channel: CHANNEL });
      await done;
      const seconds = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(cpu0);
      close();
      while ((await server.request('connections')) !== 0) await new Promise((r) => setTimeout(r, 10));
      if (record) {
        rates[subject].push(messages / seconds);
        cpu[subject].push((used.user + used.system) / messages);
      }
      if (sink !== messages) throw new Error('lost messages');
    }
  } finally {
    await server.stop();
  }
  bar.done(`${rounds} rounds × ${messages} messages`);
  const pulse = median(rates.pulse);
  const raw = median(rates.raw);
  const pulseCpu = median(cpu.pulse);
  const rawCpu = median(cpu.raw);
  return {
    title: `Client receive throughput (${messages.toLocaleString('en-US')} messages, server in its own process)`,
    ratioLabel: 'vs raw ws + JSON.parse',
    rows: [
      { subject: 'openkbs-pulse client (Pulse, subscribe(event, cb))', value: pulse, unit: 'msg/s', ratio: pulse / raw },
      { subject: 'raw ws + JSON.parse + same callback (ceiling)', value: raw, unit: 'msg/s', ratio: 1 },
      // Throughput the receiving CPU allows: ratio = raw CPU per message / pulse CPU per message.
      { subject: 'openkbs-pulse client: receive CPU per message', value: pulseCpu, unit: 'µs', ratio: rawCpu / pulseCpu },
      { subject: 'raw ws + JSON.parse: receive CPU per message', value: rawCpu, unit: 'µs', ratio: 1 },
    ],
    summary: { pulse, raw, pulseCpuUs: pulseCpu, rawCpuUs: rawCpu, cpuRatio: rawCpu / pulseCpu },
    note:
      'Rate = messages / time from asking the server to send until the last callback (bounded by the sending server, so both can exceed each other). ' +
      'CPU rows: user+system CPU of the receiving process per message; their ratio (raw / pulse) is the throughput the client allows relative to the ceiling. Medians over interleaved rounds after one warm-up each.',
  };
}
