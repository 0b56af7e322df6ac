// WebSocket framing for the paced sender (bench/servers/server.mjs): frames encoded once and written
// straight to the TCP socket, so every receiver gets the very same bytes in the very same writes.

/** One unmasked server-to-client WebSocket text frame (RFC 6455 §5.2) carrying `text`. */
export function wsFrame(text) {
  const payload = Buffer.from(text);
  const length = payload.length;
  if (length >= 65_536) throw new Error('bench frames are under 64 KiB');
  const header = length < 126 ? Buffer.from([0x81, length]) : Buffer.from([0x81, 126, length >> 8, length & 255]);
  return Buffer.concat([header, payload]);
}
