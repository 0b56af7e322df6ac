// Connection setup rate and server memory per idle connection: the local service vs a raw
// `ws` server (each in its own process). Rounds alternate; medians reported.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientUrl, closeClients, openClients } from '../lib/clients.mjs';
import { mockServerBundlePath, startServer } from '../lib/servers.mjs';
import { interleave, median, progress } from '../lib/util.mjs';

async function waitForCount(server, expected) {
  for (let i = 0; i < 600; i++) {
    if ((await server.request('connections')) === expected) return;
    await sleep(50);
  }
  throw new Error(`${server.kind}: server never reached ${expected} connections`);
}

export async function run({ quick = false } = {}) {
  const count = quick ? 500 : 2000;
  const rounds = quick ? 2 : 4;
  const inFlight = 100;
  if (!(await mockServerBundlePath())) throw new Error('packages/mock-server/src/index.ts does not exist yet');
  const kinds = ['pulse', 'ws'];
  const bar = progress('connections');
  const subjects = {};
  try {
    for (const kind of kinds) {
      const server = await startServer(kind);
      const tokens = kind === 'pulse' ? await server.request('tokens', { n: count }) : [];
      subjects[kind] = { server, urls: Array.from({ length: count }, (_, i) => clientUrl(kind, server.info, tokens[i])), rates: [], heap: [], rss: [] };
    }
    // One warm-up round each (JIT, pools), not recorded.
    const order = [...kinds, ...interleave(kinds, rounds)];
    let step = 0;
    for (const kind of order) {
      const record = step++ >= kinds.length;
      bar.update(`${record ? 'round' : 'warm-up'} ${step}/${order.length} (${kind}, ${count} connections)`);
      const subject = subjects[kind];
      const before = await subject.server.request('memory');
      const t0 = performance.now();
      const sockets = await openClients(kind, subject.urls, inFlight, () => {});
      const seconds = (performance.now() - t0) / 1000;
      await waitForCount(subject.server, count);
      const after = await subject.server.request('memory');
      await closeClients(sockets);
      await waitForCount(subject.server, 0);
      if (!record) continue;
      subject.rates.push(count / seconds);
      subject.heap.push((after.heapUsed + after.external - before.heapUsed - before.external) / count);
      subject.rss.push((after.rss - before.rss) / count);
    }
  } finally {
    for (const subject of Object.values(subjects)) await subject.server.stop();
  }
  bar.done(`${rounds} rounds × ${count} connections per server`);
  const s = Object.fromEntries(kinds.map((kind) => [kind, { rate: median(subjects[kind].rates), heap: median(subjects[kind].heap), rss: median(subjects[kind].rss) }]));
  const label = { pulse: 'local service', ws: 'raw ws' };
  const rows = [];
  for (const kind of kinds) {
    rows.push(
      { subject: `${label[kind]}: connection setup rate`, value: s[kind].rate, unit: 'conn/s', ratio: s[kind].rate / s.ws.rate, detail: `${inFlight} handshakes in flight${kind === 'pulse' ? ', JWT verified per upgrade' : ''}` },
      { subject: `${label[kind]}: memory per idle connection (heap+external)`, value: s[kind].heap, unit: 'B', ratio: s[kind].heap / s.ws.heap },
      { subject: `${label[kind]}: memory per idle connection (RSS)`, value: s[kind].rss, unit: 'B', ratio: s[kind].rss / s.ws.rss },
    );
  }
  return {
    title: `Connection setup rate and memory per idle connection (${count} connections, server in its own process)`,
    ratioLabel: 'vs raw ws',
    rows,
    summary: s,
    note: 'Memory is measured in the server process after forced GC, before and after the connections are open; pulse connections are subscribed to one channel (the `channel` query parameter), raw ws ones are kept in a Set.',
  };
}
