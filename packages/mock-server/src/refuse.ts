/**
 * Refusals of the service: an HTTP upgrade refused (the service's WebSocket and the inspector's
 * feed: one answer, the JSON body `{ error, code }` every refusal has, then the socket is closed),
 * and the code a sender's problem is refused with.
 * @module
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode, SendProblem } from '@openkbs-pulse/protocol';

/**
 * The code the service refuses a publish or presence change with, for the protocol's verdict on
 * it (`publishProblem`, `presenceDataProblem`): what the sender's check calls `invalid_argument`
 * (its own input) is an `invalid_message` when it reaches the service.
 */
export const refusalCode = (problem: SendProblem): ErrorCode => (problem.code === 'invalid_argument' ? 'invalid_message' : problem.code);

/**
 * Answers `status` with `{ error, code }` and destroys the socket once the answer is written, as
 * `ws` does for its own refusals: the server's sockets stay open for writing after the client's
 * side closes, so a client that reads the answer and never closes its side kept the socket (and
 * `stop()` waiting for it). No CORS header: a page on another origin must not read why.
 */
export function refuseUpgrade(socket: Duplex, status: number, code: ErrorCode, error: string, headers = ''): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error, code });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`,
  );
}

/**
 * `ws`'s `wsClientError` listener: a handshake it refuses (a method other than GET, a missing or
 * malformed key, version or protocol header) is answered like every other refusal, not with its
 * own text/html, and with the headers `ws` sent: the versions it speaks (RFC 6455 4.2.2) for a
 * version it does not, `Allow` for a method. `ws` only says why, in its message.
 */
export function refuseHandshake(error: Error, socket: Duplex): void {
  const why = error.message;
  const method = why === 'Invalid HTTP method';
  const headers = method ? 'Allow: GET\r\n' : why.includes('Sec-WebSocket-Version') ? 'Sec-WebSocket-Version: 13, 8\r\n' : '';
  refuseUpgrade(socket, method ? 405 : 400, 'invalid_message', `the WebSocket handshake was refused: ${why}`, headers);
}
