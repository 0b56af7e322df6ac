// A raw `ws` peer for integration tests: connect with a token, collect frames, await one.
import WebSocket from 'ws';
import { buildConnectUrl, type ServerFrame } from '@openkbs-pulse/protocol';

export interface RawPeer {
  socket: WebSocket;
  frames: ServerFrame[];
  /** Resolves with the first frame (already received or future) that matches. */
  next(match: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  send(frame: object): void;
  close(): Promise<void>;
}

export async function connectRaw(endpoint: string, kbId: string, token: string, channel?: string): Promise<RawPeer> {
  const socket = new WebSocket(buildConnectUrl(endpoint, { kbId, token, channel }));
  const frames: ServerFrame[] = [];
  const waiters: Array<{ match: (frame: ServerFrame) => boolean; resolve: (frame: ServerFrame) => void }> = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    frames.push(frame);
    for (const waiter of [...waiters]) {
      if (waiter.match(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
  });
  return {
    socket,
    frames,
    next(match, timeoutMs = 5000) {
      const seen = frames.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching frame in time')), timeoutMs);
        waiters.push({ match, resolve: (frame) => (clearTimeout(timer), resolve(frame)) });
      });
    },
    send(frame) {
      socket.send(JSON.stringify(frame));
    },
    close() {
      if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
      return new Promise((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      });
    },
  };
}

/** How an upgrade with `token` ends: `'open'` (then closed), `'HTTP <status> <body>'`, or `'error <message>'`. */
export function connectOutcome(endpoint: string, kbId: string, token: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(buildConnectUrl(endpoint, { kbId, token }));
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve(`HTTP ${res.statusCode} ${body}`));
    });
    socket.once('error', (e) => resolve(`error ${e.message}`));
  });
}
