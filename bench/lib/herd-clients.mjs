// Part of the reconnect herd: many `openkbs-pulse` clients in one process, driven over IPC:
//   node herd-clients.mjs <client bundle>
// Client i subscribes to channel `herd-<i % channels>`; the publishers among them publish
// { p, s } (publisher id, sequence number) on their channel and record which publishes resolved
// (confirmed). Every client records the { p, s } it receives, so the parent can find confirmed
// publishes that reached nobody.
import { createRequire } from 'node:module';
import { pool, serveIpc } from './util.mjs';

const require = createRequire(import.meta.url);
const { WebSocket } = require('ws');
const [clientBundle] = process.argv.slice(2);
const { default: Pulse } = await import(clientBundle);

const clients = [];
const received = new Set();
const publishers = [];
let publishing = false;
const states = { connected: 0 };

serveIpc({
  open: async ({ url, kbId, tokens, first, channels, publisherIds, inFlight = 100 }) => {
    await pool(tokens, inFlight, async (token, k) => {
      const index = first + k;
      const pulse = new Pulse({ kbId, token, endpoint: url, WebSocket });
      const channel = pulse.channel(`herd-${index % channels}`);
      channel.subscribe('seq', (data) => received.add(`${data.p}:${data.s}`));
      let connected = false;
      pulse.onStateChange((state) => {
        const now = state === 'connected';
        if (now !== connected) states.connected += now ? 1 : -1;
        connected = now;
      });
      await new Promise((resolve) => {
        const stop = pulse.onStateChange((state) => state === 'connected' && (stop(), resolve()));
      });
      clients.push(pulse);
      if (publisherIds.includes(index)) publishers.push({ id: index, channel, seq: 0, confirmed: [], failed: 0, pending: new Set() });
    });
    return clients.length;
  },
  publish: ({ intervalMs }) => {
    publishing = true;
    for (const publisher of publishers) {
      const tick = () => {
        if (!publishing) return;
        const s = ++publisher.seq;
        const done = publisher.channel.publish('seq', { p: publisher.id, s }).then(
          () => publisher.confirmed.push(s),
          () => publisher.failed++,
        );
        publisher.pending.add(done);
        done.then(() => publisher.pending.delete(done));
        setTimeout(tick, intervalMs);
      };
      setTimeout(tick, Math.random() * intervalMs);
    }
    return publishers.length;
  },
  // Stops publishing and waits (at most `settleMs`) for outstanding publishes to settle.
  stopPublishing: async ({ settleMs }) => {
    publishing = false;
    const pending = publishers.flatMap((p) => [...p.pending]);
    await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, settleMs))]);
    return {
      sent: publishers.reduce((sum, p) => sum + p.seq, 0),
      confirmed: publishers.map((p) => ({ id: p.id, seqs: p.confirmed })),
      failed: publishers.reduce((sum, p) => sum + p.failed, 0),
      unsettled: publishers.reduce((sum, p) => sum + p.pending.size, 0),
    };
  },
  received: () => [...received],
  connected: () => states.connected,
  close: () => {
    for (const pulse of clients.splice(0)) pulse.disconnect();
    return true;
  },
});
process.send({ ready: { pid: process.pid } });
