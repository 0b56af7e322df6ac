// Server SDK publish throughput against the local service (in its own process):
// createPulseClient({ transport: 'undici' }) (keep-alive pool) vs { transport: 'fetch' } (a fetch per call).
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
  const clients = {
    undici: createPulseClient({ transport: 'undici', apiUrl, kbId, apiKey }),
    fetch: createPulseClient({ transport: 'fetch', apiUrl, kbId, apiKey }),
  };
  const rates = { undici: [], fetch: [] };
  try {
    const order = ['undici', 'fetch', ...interleave(['undici', 'fetch'], rounds)];
    for (let i = 0; i < order.length; i++) {
      const kind = order[i];
      bar.update(`${i + 1}/${order.length} ${kind}${i < 2 ? ' (warm-up)' : ''}`);
      const t0 = performance.now();
      await pool(Array.from({ length: calls }, (_, n) => n), concurrency, async (n) => {
        const result = await clients[kind].publish('bench', 'tick', { n });
        if (typeof result.delivered !== 'number') throw new Error('bad publish answer');
      });
      if (i >= 2) rates[kind].push(calls / ((performance.now() - t0) / 1000));
    }
  } finally {
    await Promise.all(Object.values(clients).map((c) => c.close?.()));
    await server.stop();
  }
  bar.done(`${rounds} rounds × ${calls} publishes, ${concurrency} in flight`);
  const undici = median(rates.undici);
  const naive = median(rates.fetch);
  return {
    title: `Server SDK publish throughput (${calls} publishes, ${concurrency} in flight, local service in its own process)`,
    ratioLabel: 'vs fetch per call',
    rows: [
      { subject: "createPulseClient({ transport: 'undici' }) keep-alive pool", value: undici, unit: 'publish/s', ratio: undici / naive },
      { subject: "createPulseClient({ transport: 'fetch' }) fetch per call", value: naive, unit: 'publish/s', ratio: 1 },
    ],
    summary: { undici, fetch: naive },
    note: "The fetch transport uses Node's global fetch as is; the undici transport uses the SDK's own keep-alive Agent.",
  };
}
