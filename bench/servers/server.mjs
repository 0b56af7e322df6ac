// A benchmark server in its own process, driven over IPC by bench suites.
//   node server.mjs ws|socketio|pulse [mock-server bundle path]
// ws:       raw `ws` server: a publish is encoded once to one Buffer, sent to every client.
// socketio: socket.io server (websocket transport only): io.emit of the same payload.
// pulse:    the local Pulse service (createPulseService) from @openkbs-pulse/mock-server.
import { subscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { serveIpc } from '../lib/util.mjs';
import { wsFrame } from '../lib/ws-frame.mjs';

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
    // subscribe actions are ignored; a ping is answered (a client's heartbeat must not drop it between rounds)
    socket.on('message', (raw) => {
      if (raw.includes('"ping"')) socket.send(JSON.stringify({ type: 'pong', timestamp: Date.now() }));
    });
  });
  // A socket.io client (engine.io v4 over WebSocket) is spoken to by hand, so it gets the same
  // paced bytes as the others: open packet, connect ack, then `42["tick",data]` frames.
  wss.on('connection', (socket, request) => {
    if (!request.url.startsWith('/socket.io/')) return;
    socket.socketio = true;
    socket.send(`0${JSON.stringify({ sid: 'bench', upgrades: [], pingInterval: 600_000, pingTimeout: 600_000, maxPayload: 1_000_000 })}`);
    socket.on('message', (raw) => {
      if (String(raw).startsWith('40')) socket.send('40{"sid":"bench-socket"}');
    });
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
let pacedWrites;
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
  // Paced frames (client receive benchmarks): the frames of `n` messages (the local service's
  // message frame, `data.n` = 1..n) are encoded once, as WebSocket frames, and written straight to
  // each client's TCP socket `batch` frames per write, one write per `intervalMs`. Every subject
  // gets the same bytes in the same writes, at a rate below what any of them can take, so their
  // receive CPU is compared on identical input (see bench/README.md, "client").
  paced: async ({ n, channel, batch = 100, intervalMs = 1 }) => {
    const key = `${n}/${channel}/${batch}`;
    if (pacedWrites?.key !== key) pacedWrites = { key, ...encodePaced(n, channel, batch) };
    const writes = pacedWrites;
    const started = performance.now();
    for (let w = 0; w < writes.plain.length; w++) {
      for (const socket of clients) socket._socket.write(socket.socketio ? writes.sio[w] : writes.plain[w]);
      // Absolute schedule: a late tick does not shift the rest (the rate stays fixed).
      const due = started + (w + 1) * intervalMs;
      while (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now() - 0.5)));
      for (const socket of clients) while (socket._socket.writableLength > 4 * 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return { seconds: (performance.now() - started) / 1000, bytes: writes.plain.reduce((sum, b) => sum + b.length, 0) };
  },
  connections: () => (service ? service.connections().length : clients.size),
  tcpConnections: () => tcpConnections,
  close: async () => {
    await service?.close();
    return true;
  },
});
process.send({ ready: info });

/** The writes of `paced`: `n` message frames, plain Pulse and socket.io, `batch` frames per write. */
function encodePaced(n, channel, batch) {
  const plain = [];
  const sio = [];
  for (let i = 1; i <= n; i++) {
    const data = { type: 'tick', text: 'hello subscribers', n: i, ok: true };
    plain.push(wsFrame(JSON.stringify({ type: 'message', channel, data, timestamp: 1_764_000_000_000 + i })));
    sio.push(wsFrame(`42${JSON.stringify(['tick', data])}`));
  }
  const writes = { plain: [], sio: [] };
  for (let i = 0; i < n; i += batch) {
    writes.plain.push(Buffer.concat(plain.slice(i, i + batch)));
    writes.sio.push(Buffer.concat(sio.slice(i, i + batch)));
  }
  return writes;
}
