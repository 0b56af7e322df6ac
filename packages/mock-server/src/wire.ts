/**
 * WebSocket framing for fan-out: a published frame is serialized AND framed once per publish,
 * then the same bytes are written to every subscriber's socket.
 * @module
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * The RFC 6455 bytes of one unmasked, final text frame carrying `payload` (server frames are never
 * masked), as one buffer: header and payload together, so a delivery is a single socket write.
 */
export function frameText(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN + text opcode
  if (length < 126) frame[1] = length;
  else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/** The parts of `ws` internals a direct write relies on. */
interface WsInternals {
  _socket?: Duplex;
  _sender?: { _queue?: unknown[] };
}

/**
 * Writes a pre-framed message straight to the socket under `ws`, which skips ws's per-send
 * framing (a header allocation and two writes per subscriber). Only done when it keeps frame
 * order: nothing queued in ws's sender (no compression is negotiated: the service disables it).
 * @returns false when the caller must fall back to `ws.send`.
 */
export function writeFramed(ws: WebSocket, framed: Buffer): boolean {
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  if (!socket || !sender || !Array.isArray(sender._queue) || sender._queue.length > 0) return false;
  socket.write(framed);
  return true;
}
