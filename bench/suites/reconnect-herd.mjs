// Reconnect herd: N `openkbs-pulse` clients (two processes) subscribed on the local service
// (its own process), some publishing continuously; the service process is killed and started
// again on the same port (same signing key, so the same tokens). Measured at the service: the
// time from its restart until every client is subscribed again, and how bunched the reconnect
// attempts are (the largest share of them in any 100 ms window: jitter must keep it <= 20 %);
// at the clients: confirmed publishes (publish() resolved) that reached no subscriber (must be 0).
// Loopback only; every wait is bounded, so the suite stops by itself.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mockServerBundlePath } from '../lib/servers.mjs';
import { BENCH_DIR, clientBundle, progress, startChild } from '../lib/util.mjs';

const WINDOW_MS = 100;

/** The largest number of `times` (ms) inside any window of `width` ms. */
export function busiestWindow(times, width) {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] >= width) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function openFileLimit() {
  const text = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  return text === 'unlimited' ? Infinity : Number(text);
}

async function until(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`reconnect herd: ${what} not reached within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

export async function run({ quick = false } = {}) {
  const n = quick ? 1000 : 5000;
  const processes = 2;
  const channels = quick ? 10 : 50;
  const publisherCount = 20;
  const publishIntervalMs = 200;
  const downMs = 1000;
  // Each client process holds n / processes sockets, the service all n: check before, not half-way.
  const limit = openFileLimit();
  if (limit < n + 1000) throw new Error(`the open-file limit (ulimit -n) is ${limit}; ${n} connections need ${n + 1000}: raise it, e.g. ulimit -n 20000`);
  const serviceBundle = await mockServerBundlePath();
  if (!serviceBundle) throw new Error('packages/mock-server/src/index.ts does not exist yet');
  const bundle = await clientBundle();
  const secret = randomBytes(32).toString('hex');
  const startService = async (port) => {
    const child = startChild(join(BENCH_DIR, 'servers/herd-service.mjs'), [serviceBundle, String(port), secret]);
    return { ...child, info: await child.ready };
  };
  const bar = progress('reconnect herd');
  let service = await startService(0);
  const port = service.info.port;
  const parts = [];
  const stats = () => service.request('stats');
  try {
    bar.update(`minting ${n} tokens`);
    const tokens = await service.request('tokens', { n });
    const publisherIds = Array.from({ length: publisherCount }, (_, i) => i * Math.floor(n / publisherCount));
    const size = Math.ceil(n / processes);
    for (let p = 0; p < processes; p++) parts.push(startChild(join(BENCH_DIR, 'lib/herd-clients.mjs'), [bundle]));
    await Promise.all(parts.map((part) => part.ready));
    bar.update(`connecting ${n} clients`);
    await Promise.all(
      parts.map((part, p) =>
        part.request('open', { url: service.info.url, kbId: service.info.kbId, tokens: tokens.slice(p * size, (p + 1) * size), first: p * size, channels, publisherIds }),
      ),
    );
    await until(`${n} subscriptions`, async () => (await stats()).subscriptions === n, 30_000);
    await Promise.all(parts.map((part) => part.request('publish', { intervalMs: publishIntervalMs })));
    await sleep(1000);

    bar.update(`killing the service (${n} clients subscribed, ${publisherCount} publishing)`);
    await service.stop();
    const stoppedAt = Date.now();
    await sleep(downMs);
    service = await startService(port);
    const restartedAt = service.info.listeningAt;
    bar.update('service restarted; waiting for every client to subscribe again');
    await until(`${n} subscriptions after the restart`, async () => (await stats()).subscriptions === n, 45_000);
    const resubscribedAt = Date.now();
    const connectedClients = (await Promise.all(parts.map((part) => part.request('connected')))).reduce((a, b) => a + b, 0);
    await sleep(1000);
    const published = await Promise.all(parts.map((part) => part.request('stopPublishing', { settleMs: 5000 })));
    await sleep(500); // deliveries of the last confirmed publishes are in flight
    const received = new Set((await Promise.all(parts.map((part) => part.request('received')))).flat());
    const accepted = await service.request('accepted');

    let confirmed = 0;
    let lost = 0;
    const lostExamples = [];
    for (const part of published) {
      for (const { id, seqs } of part.confirmed) {
        for (const s of seqs) {
          confirmed++;
          if (!received.has(`${id}:${s}`)) {
            lost++;
            if (lostExamples.length < 5) lostExamples.push(`${id}:${s}`);
          }
        }
      }
    }
    const sent = published.reduce((sum, part) => sum + part.sent, 0);
    const failed = published.reduce((sum, part) => sum + part.failed, 0);
    const unsettled = published.reduce((sum, part) => sum + part.unsettled, 0);
    const busiest = busiestWindow(accepted, WINDOW_MS);
    bar.done(`${n} clients, service down ${restartedAt - stoppedAt} ms`);
    const resubscribeSeconds = (resubscribedAt - restartedAt) / 1000;
    return {
      title: `Reconnect herd (${n.toLocaleString('en-US')} clients in ${processes} processes, local service killed and restarted on the same port)`,
      ratioLabel: 'limit',
      rows: [
        { subject: 'time from restart until every client is subscribed again', value: resubscribeSeconds, unit: 's', ratio: null, detail: `service down ${restartedAt - stoppedAt} ms; polled every 50 ms` },
        { subject: `largest share of reconnect attempts in one ${WINDOW_MS} ms window`, value: (100 * busiest) / accepted.length, unit: '%', ratio: null, detail: `${busiest} of ${accepted.length} attempts reaching the restarted service (limit 20 %)` },
        { subject: 'confirmed publishes that reached no subscriber', value: lost, unit: 'publishes', ratio: null, detail: `of ${confirmed} confirmed (${sent} sent, ${failed} rejected, ${unsettled} unsettled); must be 0${lost ? `; e.g. ${lostExamples.join(', ')}` : ''}` },
      ],
      summary: { n, resubscribeSeconds, attempts: accepted.length, busiest, busiestShare: busiest / accepted.length, confirmed, lost, sent, failed, unsettled, connectedClients, downMs: restartedAt - stoppedAt },
      note:
        `Clients: the public API only (new Pulse(...), channel().subscribe, publish, onStateChange); ${channels} channels, ${publisherCount} clients publish every ${publishIntervalMs} ms throughout. ` +
        'Attempts are TCP connections accepted by the restarted service (attempts made while it was down are refused and not counted). A confirmed publish counts as reached if any client (the publisher included, it is subscribed to its channel) received it.',
    };
  } finally {
    for (const part of parts) {
      await part.request('close').catch(() => {});
      await part.stop();
    }
    await service.stop();
  }
}
