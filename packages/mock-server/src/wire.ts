/**
 * WebSocket framing for fan-out: a published frame is serialized AND framed once per publish,
 * then the same bytes are written to every subscriber's socket.
 * @module
 */
import type { Duplex } from 'node:stream';

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

/**
 * Writes a pre-framed message to the TCP socket the service handed to `ws` at the upgrade (the
 * service keeps its own reference: no private field of `ws` is read). That skips ws's per-send
 * framing (a header allocation and two writes per subscriber) and keeps frame order, because
 * ws writes every frame it sends synchronously to the same socket unless it is compressing or
 * reading a Blob, and the service does neither (`perMessageDeflate: false`, it only sends
 * Buffers). Never called once ws has started closing (the caller checks `readyState === OPEN`),
 * so nothing follows a close frame.
 * @returns false when the socket can no longer be written (the caller then skips the delivery).
 */
export function writeFramed(socket: Duplex, framed: Buffer): boolean {
  if (socket.destroyed || !socket.writable) return false;
  socket.write(framed);
  return true;
}
