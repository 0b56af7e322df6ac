/**
 * Refusing an HTTP upgrade (the service's WebSocket and the inspector's feed): one answer, the
 * JSON body `{ error, code }` every refusal of the service has, and then the socket is closed.
 * @module
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '@openkbs-pulse/protocol';

/**
 * Answers `status` with `{ error, code }` and destroys the socket once the answer is written, as
 * `ws` does for its own refusals: the server's sockets stay open for writing after the client's
 * side closes, so a client that reads the answer and never closes its side kept the socket (and
 * `stop()` waiting for it). No CORS header: a page on another origin must not read why.
 */
export function refuseUpgrade(socket: Duplex, status: number, code: ErrorCode, error: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error, code });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * `ws`'s `wsClientError` listener: a handshake it refuses (a method other than GET, a missing or
 * malformed key, version or protocol header) is answered like every other refusal, not with its
 * own text/html. `ws` only says why: 405 for the method, else 400.
 */
export const refuseHandshake = (error: Error, socket: Duplex): void =>
  refuseUpgrade(socket, error.message === 'Invalid HTTP method' ? 405 : 400, 'invalid_message', `the WebSocket handshake was refused: ${error.message}`);
