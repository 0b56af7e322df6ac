/**
 * Raw HTTP over a TCP socket, for requests no HTTP client would send (bad request lines, forged
 * Host headers, bodies that never end). Loopback only.
 */
import { connect, type Socket } from 'node:net';

/** What came back: the raw text, the status (0 if none), and whether the service closed the socket. */
export interface RawAnswer {
  text: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  closedByService: boolean;
}

/**
 * Writes `request` to 127.0.0.1:`port`, half-closes unless `keepOpen`, and collects the answer
 * until the service closes the socket, a whole answer arrived (with `keepOpen`), or `waitMs`
 * passes (then the socket is destroyed).
 */
export function rawRequest(port: number, request: string | Buffer, { waitMs = 5000, keepOpen = false } = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByService = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks).toString('latin1'), closedByService));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (keepOpen && complete(Buffer.concat(chunks).toString('latin1'))) finish();
    });
    socket.on('end', () => {
      closedByService = true;
      finish();
    });
    socket.on('close', () => {
      closedByService = true;
      finish();
    });
    socket.on('error', () => undefined);
    socket.write(request, () => {
      if (!keepOpen) socket.end();
    });
  });
}

/** Whether `text` holds a whole answer: a 101, or headers and Content-Length bytes of body. */
function complete(text: string): boolean {
  const answer = parseAnswer(text);
  const split = text.indexOf('\r\n\r\n');
  if (split === -1) return false;
  if (answer.status === 101) return true;
  const length = Number(answer.headers['content-length']);
  return Number.isFinite(length) && Buffer.byteLength(text.slice(split + 4), 'latin1') >= length;
}

/** Splits a raw HTTP/1.1 answer into status, headers (lower-cased names) and body. */
export function parseAnswer(text: string, closedByService = false): RawAnswer {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
  const split = text.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of (split === -1 ? text : text.slice(0, split)).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = split === -1 ? '' : text.slice(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { text, status: match ? Number(match[1]) : 0, headers, body, closedByService };
}

function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const end = text.indexOf('\r\n', at);
    if (end === -1) return out;
    const size = parseInt(text.slice(at, end), 16);
    if (!(size > 0)) return out;
    out += text.slice(end + 2, end + 2 + size);
    at = end + 2 + size + 2;
  }
}

/** An HTTP/1.1 request text. */
export function httpRequest(method: string, path: string, headers: Record<string, string>, body = ''): string {
  const lines = [`${method} ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body !== '' && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The headers of a WebSocket upgrade request. */
export function upgradeHeaders(host: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    Host: host,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
}

/**
 * Sends `request` on a socket that never half-closes its own side (`allowHalfOpen`); resolves once
 * the answer and the service's FIN arrived, with the socket (for the caller to destroy).
 */
export function halfOpen(port: number, request: string): Promise<{ socket: Socket; text: string }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve({ socket, text }));
    socket.on('error', () => undefined);
    socket.write(request);
  });
}

/** `promise`, or `'timed out'` after `ms`. */
export const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms))]);

/** Whether a TCP connection to `port` on 127.0.0.1 is accepted (false after 3 s without an answer). */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 3000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
