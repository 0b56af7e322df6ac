// Server SDK publish throughput against the local service (in its own process), and the TCP
// connections each way opens (counted by the service process as accepted sockets):
//   pool:     createPulseClient({ transport: 'undici' }), the SDK's keep-alive Agent;
//   per call: a fresh undici Agent per publish (a client created and closed per call), so
//             every publish opens and closes its own TCP connection: the truly naive baseline;
//   fetch:    createPulseClient({ transport: 'fetch' }) on Node's global fetch as is, which
//             keeps connections alive in its own global pool (so it is not a per-call baseline).
import { performance } from 'node:perf_hooks';
import { startServer } from '../lib/servers.mjs';
import { bundleSource, interleave, median, pool, progress } from '../lib/util.mjs';

export async function run({ quick = false } = {}) {
  const calls = quick ? 500 : 3000;
  const concurrency = 16;
  const rounds = quick ? 2 : 5;
  const { createPulseClient } = await import(await bundleSource('server-sdk', 'packages/server/src/index.ts'));
  const server = await startServer('pulse');
  const { apiUrl, kbId, apiKey } = server.info;
  const bar = progress('sdk publish');
  const options = { apiUrl, kbId, apiKey, env: () => ({}) };
  const shared = {
    pool: createPulseClient({ ...options, transport: 'undici' }),
    fetch: createPulseClient({ ...options, transport: 'fetch' }),
  };
  const publishers = {
    pool: (n) => shared.pool.publish('bench', 'tick', { n }),
    perCall: async (n) => {
      const client = createPulseClient({ ...options, transport: 'undici', connections: 1 });
      try {
        return await client.publish('bench', 'tick', { n });
      } finally {
        await client.close();
      }
    },
    fetch: (n) => shared.fetch.publish('bench', 'tick', { n }),
  };
  const kinds = Object.keys(publishers);
  const rates = Object.fromEntries(kinds.map((kind) => [kind, []]));
  const opened = Object.fromEntries(kinds.map((kind) => [kind, []]));
  try {
    const order = [...kinds, ...interleave(kinds, rounds)];
    for (let i = 0; i < order.length; i++) {
      const kind = order[i];
      const warmUp = i < kinds.length;
      bar.update(`${i + 1}/${order.length} ${kind}${warmUp ? ' (warm-up)' : ''}`);
      const before = await server.request('tcpConnections');
      const t0 = performance.now();
      await pool(Array.from({ length: calls }, (_, n) => n), concurrency, async (n) => {
        const result = await publishers[kind](n);
        if (typeof result.delivered !== 'number') throw new Error('bad publish answer');
      });
      const seconds = (performance.now() - t0) / 1000;
      const after = await server.request('tcpConnections');
      if (!warmUp) {
        rates[kind].push(calls / seconds);
        opened[kind].push(after - before);
      }
    }
  } finally {
    await Promise.all(Object.values(shared).map((c) => c.close?.()));
    await server.stop();
  }
  bar.done(`${rounds} rounds × ${calls} publishes, ${concurrency} in flight`);
  const rate = Object.fromEntries(kinds.map((kind) => [kind, median(rates[kind])]));
  // A kept-alive pool opens nothing in a run that finds its sockets still open, and up to about
  // twice the concurrency when the service closed them while idle (undici frees a socket a tick
  // after a body was read, so a worker's next call can open one more): hence a range.
  const range = (kind) => {
    const low = Math.min(...opened[kind]);
    const high = Math.max(...opened[kind]);
    return low === high ? `${low}` : `${low}–${high}`;
  };
  const detail = (kind) => `TCP connections opened per run of ${calls}: ${range(kind)}`;
  return {
    title: `Server SDK publish throughput (${calls} publishes, ${concurrency} in flight, local service in its own process)`,
    ratioLabel: 'vs a connection per call',
    rows: [
      { subject: 'SDK undici keep-alive pool (default)', value: rate.pool, unit: 'publish/s', ratio: rate.pool / rate.perCall, detail: detail('pool') },
      { subject: 'new undici Agent per call', value: rate.perCall, unit: 'publish/s', ratio: 1, detail: detail('perCall') },
      { subject: "transport: 'fetch', global fetch as is", value: rate.fetch, unit: 'publish/s', ratio: rate.fetch / rate.perCall, detail: detail('fetch') },
    ],
    summary: {
      undici: rate.pool,
      perCall: rate.perCall,
      fetch: rate.fetch,
      tcpConnectionsPerRun: opened,
      ratesPerRun: rates,
      poolVsFetch: rate.pool / rate.fetch,
    },
    note:
      "TCP connections are counted by the service process (accepted sockets) per run. Node's global fetch keeps connections alive too (its own global pool), " +
      'so pool vs fetch measures transport overhead, not keep-alive; keep-alive is pool vs a connection per call.',
  };
}
