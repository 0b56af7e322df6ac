// Raw `ws` clients for the server benchmarks: the same minimal client for every server kind,
// so differences come from the servers. socket.io is spoken at the engine.io v4 level.
import { createRequire } from 'node:module';
import { URLSearchParams } from 'node:url';
import { pool } from './util.mjs';

const require = createRequire(import.meta.url);
const { WebSocket } = require('ws');

export const CHANNEL = 'bench';

/** The URL of client `i` for a server `kind`. */
export function clientUrl(kind, info, token) {
  if (kind === 'pulse') {
    const params = new URLSearchParams({ kbId: info.kbId, token, channel: CHANNEL });
    return `${info.url}?${params}`;
  }
  return info.url;
}

/** Opens one client; resolves when it can receive broadcasts. */
export function openClient(kind, url, onMessage) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`connect timeout ${kind}`));
    }, 30_000);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    if (kind === 'socketio') {
      socket.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('0')) socket.send('40');
        else if (text.startsWith('40')) {
          clearTimeout(timer);
          socket.removeAllListeners('message');
          socket.on('message', (frame) => {
            if (frame.length === 1 && frame[0] === 0x32) socket.send('3'); // engine.io ping
            else onMessage(frame);
          });
          resolve(socket);
        }
      });
    } else {
      socket.on('open', () => {
        clearTimeout(timer);
        socket.on('message', onMessage);
        resolve(socket);
      });
    }
  });
}

/** The publish message a client sends to server `kind`. */
export function publishMessage(kind, data) {
  if (kind === 'socketio') return `42${JSON.stringify(['publish', { channel: CHANNEL, event: 'tick', data }])}`;
  return JSON.stringify({ action: 'publish', channel: CHANNEL, event: 'tick', data });
}

/** Opens `n` clients with at most `concurrency` handshakes in flight. */
export async function openClients(kind, urls, concurrency, onMessage, onProgress) {
  const sockets = new Array(urls.length);
  let done = 0;
  await pool(urls, concurrency, async (url, i) => {
    sockets[i] = await openClient(kind, url, onMessage);
    if (++done % 500 === 0) onProgress?.(done);
  });
  return sockets;
}

export async function closeClients(sockets) {
  await Promise.all(
    sockets.filter(Boolean).map(
      (socket) =>
        new Promise((resolve) => {
          if (socket.readyState === socket.CLOSED) return resolve();
          socket.once('close', resolve);
          socket.terminate();
        }),
    ),
  );
}
