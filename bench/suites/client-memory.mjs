// Client idle memory: heap (heapUsed + external, after forced GC) per connected `openkbs-pulse`
// client with one channel subscribed, vs a bare `ws` client subscribed to the same local service.
// Each round is a fresh process holding N clients of one subject (bench/lib/memory-child.mjs);
// the last round of each subject also sums two heap snapshots by constructor to show where the
// client's bytes go.
import { join } from 'node:path';
import { startServer } from '../lib/servers.mjs';
import { BENCH_DIR, clientBundle, interleave, median, progress, startChild } from '../lib/util.mjs';

/**
 * Where the client's extra bytes go: heap-snapshot growth per client of `pulse` minus that of a
 * bare client (`ws`), by "type: constructor", largest first (the 12 above 16 B).
 */
export function extraByConstructor(pulse, ws) {
  const wsBytes = new Map(ws.map((t) => [t.key, t.bytesPerClient]));
  return pulse
    .map((t) => ({ key: t.key, count: t.countPerClient, bytes: t.bytesPerClient - (wsBytes.get(t.key) ?? 0) }))
    .filter((t) => t.bytes > 16)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 12);
}

export async function run({ quick = false } = {}) {
  const n = quick ? 200 : 500;
  const rounds = quick ? 2 : 3;
  const bundle = await clientBundle();
  const server = await startServer('pulse');
  const subjects = ['pulse', 'realtime', 'ws'];
  const perClient = { pulse: [], realtime: [], ws: [] };
  const top = {};
  const bar = progress('client memory');
  try {
    const tokens = await server.request('tokens', { n });
    const order = interleave(subjects, rounds);
    for (let i = 0; i < order.length; i++) {
      const subject = order[i];
      const snapshot = i >= order.length - subjects.length;
      bar.update(`round ${Math.floor(i / subjects.length) + 1}/${rounds}: ${n} ${subject} clients${snapshot ? ' + heap snapshots' : ''}`);
      const child = startChild(join(BENCH_DIR, 'lib/memory-child.mjs'), [bundle]);
      try {
        await child.ready;
        const result = await child.request('measure', { subject, n, info: server.info, tokens, snapshot });
        perClient[subject].push(result.perClient);
        if (result.top) top[subject] = result.top;
        if ((await server.request('connections')) !== n) throw new Error(`${subject}: the service does not see ${n} connections`);
        await child.request('close');
      } finally {
        await child.stop();
      }
      for (let wait = 0; (await server.request('connections')) !== 0; wait++) {
        if (wait > 200) throw new Error('connections of the last round did not close');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  } finally {
    await server.stop();
  }
  bar.done(`${rounds} rounds × ${n} clients per subject`);
  const pulse = median(perClient.pulse);
  const ws = median(perClient.ws);
  const realtime = median(perClient.realtime);
  const extra = extraByConstructor(top.pulse ?? [], top.ws ?? []);
  return {
    title: `Client idle memory (${n} clients in one process, each connected with one channel subscribed, local service)`,
    ratioLabel: 'vs bare ws client',
    rows: [
      { subject: 'openkbs-pulse client (Pulse + channel().subscribe)', value: pulse, unit: 'B/client', ratio: pulse / ws, detail: 'heapUsed + external after GC' },
      { subject: 'openkbs-pulse client (Pulse.Realtime + channels.get().subscribe)', value: realtime, unit: 'B/client', ratio: realtime / ws, detail: 'heapUsed + external after GC' },
      { subject: 'bare ws client (subscribed by URL, on("message") parses)', value: ws, unit: 'B/client', ratio: 1, detail: 'heapUsed + external after GC' },
    ],
    summary: { pulse, realtime, ws, ratio: pulse / ws, realtimeRatio: realtime / ws, perClient, heapTop: top, pulseExtraByConstructor: extra },
    note:
      `Fresh process per round, medians of ${rounds} interleaved rounds; both kinds are subscribed on the same service. ` +
      `Largest heap-snapshot growth per client beyond a bare ws client (type: constructor, bytes per client): ${extra.map((t) => `${t.key} ${t.bytes} B (${t.count}/client)`).join('; ')}.`,
  };
}
