// A benchmark server in its own process, driven over IPC by bench suites.
//   node server.mjs ws|socketio|pulse [mock-server bundle path]
// ws:       raw `ws` server: a publish is encoded once to one Buffer, sent to every client.
// socketio: socket.io server (websocket transport only): io.emit of the same payload.
// pulse:    the local Pulse service (createPulseService) from @openkbs-pulse/mock-server.
import { subscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { serveIpc } from '../lib/util.mjs';

// TCP connections accepted by any server of this process (the IPC channel is not a net server).
let tcpConnections = 0;
subscribe('net.server.socket', () => void tcpConnections++);

const require = createRequire(import.meta.url);
const [kind, bundlePath] = process.argv.slice(2);

let info;
const clients = new Set();
let service;
let httpServer;

if (kind === 'ws') {
  const { WebSocketServer } = require('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('message', (raw, isBinary) => {
      if (isBinary) return;
      let action;
      try {
        action = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (action.action !== 'publish') return;
      const frame = Buffer.from(
        JSON.stringify({ type: 'message', channel: action.channel, data: { ...action.data, type: action.event }, timestamp: Date.now() }),
      );
      for (const client of clients) client.send(frame, { binary: false });
    });
  });
  info = { url: `ws://127.0.0.1:${wss.address().port}` };
} else if (kind === 'blast') {
  // Sends pre-encoded message frames as fast as the socket takes them (client receive benchmark).
  const { WebSocketServer } = require('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('message', () => {}); // subscribe/ping actions are ignored
  });
  info = { url: `ws://127.0.0.1:${wss.address().port}` };
} else if (kind === 'socketio') {
  const { createServer } = await import('node:http');
  const { Server } = require('socket.io');
  httpServer = createServer();
  const io = new Server(httpServer, { transports: ['websocket'], pingInterval: 600_000, pingTimeout: 600_000, perMessageDeflate: false });
  io.on('connection', (socket) => {
    socket.on('publish', (action) => {
      io.emit('message', { type: 'message', channel: action.channel, data: { ...action.data, type: action.event }, timestamp: Date.now() });
    });
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  info = { url: `ws://127.0.0.1:${httpServer.address().port}/socket.io/?EIO=4&transport=websocket` };
} else if (kind === 'pulse') {
  const { createPulseService } = await import(bundlePath);
  service = await createPulseService({ port: 0 });
  info = { url: service.wsUrl, apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey };
} else {
  throw new Error(`unknown server kind ${kind}`);
}

let cpuMark = process.cpuUsage();
serveIpc({
  info: () => info,
  tokens: async ({ n, sameUser }) => {
    const tokens = [];
    for (let i = 0; i < n; i++) tokens.push(await service.createToken(sameUser ? 'bench-user' : `user-${i}`));
    return tokens;
  },
  cpuMark: () => {
    cpuMark = process.cpuUsage();
    return true;
  },
  cpuRead: () => {
    const used = process.cpuUsage(cpuMark);
    return used.user + used.system;
  },
  memory: () => {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const usage = process.memoryUsage();
    return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers };
  },
  blast: async ({ n, channel }) => {
    const frame = Buffer.from(JSON.stringify({ type: 'message', channel, data: { type: 'tick', text: 'hello subscribers', n: 1, ok: true }, timestamp: Date.now() }));
    for (const socket of clients) {
      for (let i = 0; i < n; i++) {
        socket.send(frame, { binary: false });
        if (socket.bufferedAmount > 8 * 1024 * 1024) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return true;
  },
  connections: () => (service ? service.connections().length : clients.size),
  tcpConnections: () => tcpConnections,
  close: async () => {
    await service?.close();
    return true;
  },
});
process.send({ ready: info });
