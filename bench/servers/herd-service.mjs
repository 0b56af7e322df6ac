// The local Pulse service for the reconnect-herd suite, in its own process, on a given port with a
// given signing key (so a restarted service on the same port accepts the same tokens):
//   node herd-service.mjs <mock-server bundle> <port> <secret>
// It records when each TCP connection is accepted (every reconnect attempt that reaches it).
import { subscribe } from 'node:diagnostics_channel';
import { serveIpc } from '../lib/util.mjs';

const [bundlePath, port, secret] = process.argv.slice(2);
const accepted = [];
subscribe('net.server.socket', () => void accepted.push(Date.now()));

const { createPulseService } = await import(bundlePath);
const service = await createPulseService({ port: Number(port), secret });
const kb = () => service.stats().kbs[service.kbId];

serveIpc({
  tokens: async ({ n }) => {
    const tokens = [];
    for (let i = 0; i < n; i++) tokens.push(await service.createToken(`herd-${i}`));
    return tokens;
  },
  stats: () => ({ connections: kb().connections, subscriptions: kb().subscriptions, published: kb().published, delivered: kb().delivered }),
  accepted: () => accepted,
});
process.send({ ready: { url: service.wsUrl, kbId: service.kbId, port: new URL(service.wsUrl).port, listeningAt: Date.now() } });
