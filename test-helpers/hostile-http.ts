/**
 * Hostile HTTP for the example servers' property tests: fast-check arbitraries of raw requests
 * (request line, headers, body; some are upgrades, many are malformed), a sender that writes one
 * over a real socket and reads what comes back, and a recorder of the errors that would take the
 * process down (an uncaught exception, an unhandled rejection).
 * @module
 */
import { connect } from 'node:net';
import fc from 'fast-check';

/** One raw request: exactly the bytes written to the socket. */
export interface RawRequest {
  bytes: Buffer;
  /** For the failure report. */
  summary: string;
}

/** What came back: the status of the first response (undefined when none), its content type and body. */
export interface RawAnswer {
  status: number | undefined;
  contentType: string | undefined;
  body: string;
}

const TARGETS = ['/', '//[', '//', '/%', '/%ZZ', '/%00', '*', 'http://[/', 'http://evil.example/', '/..%2f..%2fetc%2fpasswd', '/@fs/etc/passwd', '/?%'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'CONNECT', 'TRACE'];
const HEADER_NAMES = ['content-type', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'host', 'expect', 'cookie', 'origin', 'accept-encoding', 'x-forwarded-for', 'sec-websocket-key', 'sec-websocket-version'];

/** A JSON body aimed at the app: one of its `actions` or routes' fields, with arbitrary values. */
const appBody = (actions: readonly string[], fields: readonly string[]) =>
  fc
    .tuple(fc.constantFrom(...actions, 'nope', ''), fc.dictionary(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }))
    .map(([action, rest]) => JSON.stringify({ action, ...rest }));

/**
 * Raw requests: mostly well-formed HTTP/1.1 with hostile targets, headers and bodies, sometimes
 * an upgrade, sometimes broken at the protocol level (bad request line, bad header bytes,
 * lying Content-Length, broken chunked encoding).
 * @param paths the app's own paths, so bodies and targets reach its handlers.
 * @param actions action names of a Lambda-style `{ action }` API (or none).
 * @param fields body field names the app reads.
 */
export function hostileRequest(paths: readonly string[], actions: readonly string[], fields: readonly string[]): fc.Arbitrary<RawRequest> {
  const method = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...METHODS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const path = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...paths, ...TARGETS) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...paths), fc.webQueryParameters()).map(([p, q]) => `${p}?${q}`) },
    { weight: 1, arbitrary: fc.webPath() },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
  const version = fc.oneof({ weight: 8, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9', '') });
  const header = fc.tuple(
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HEADER_NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }),
    fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('application/json', 'chunked', 'upgrade', 'websocket', '100-continue', '-1', '99999999999', 'gzip')),
  );
  const body = fc.oneof(
    { weight: 4, arbitrary: appBody(actions, fields) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')) },
    { weight: 1, arbitrary: fc.constant('') },
  );
  // How the body is framed: a right Content-Length, a wrong one, none, or chunked (valid or not).
  const framing = fc.constantFrom('length', 'length', 'length', 'short', 'long', 'none', 'chunked', 'bad-chunked');
  return fc
    .record({
      method,
      path,
      version,
      headers: fc.array(header, { maxLength: 6 }),
      upgrade: fc.boolean(),
      body,
      framing,
    })
    .map(({ method: m, path: p, version: v, headers, upgrade, body: b, framing: f }) => {
      const lines = [`${m} ${p} ${v}`.trimEnd(), 'host: 127.0.0.1'];
      if (upgrade) lines.push('connection: Upgrade', 'upgrade: websocket', 'sec-websocket-version: 13', 'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==');
      for (const [name, value] of headers) lines.push(`${name}: ${value}`);
      const payload = Buffer.from(b, 'latin1');
      let tail: Buffer = payload;
      if (f === 'length') lines.push(`content-length: ${payload.length}`);
      else if (f === 'short') lines.push(`content-length: ${Math.max(0, payload.length - 3)}`);
      else if (f === 'long') lines.push(`content-length: ${payload.length + 10}`);
      else if (f === 'chunked' || f === 'bad-chunked') {
        lines.push('transfer-encoding: chunked');
        const size = f === 'chunked' ? payload.length.toString(16) : 'zz';
        tail = Buffer.concat([Buffer.from(`${size}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
      }
      const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
      return { bytes: Buffer.concat([head, tail]), summary: JSON.stringify(`${lines.join('\n')}\n\n${b.slice(0, 120)}`) };
    });
}

/**
 * Writes `request` to a new connection to `port` on 127.0.0.1, half-closes it, and reads until
 * the server closes it, or until `waitMs` passed (then the connection is dropped, as an impatient
 * client would; it bounds the test, nothing is asserted on time).
 */
export function sendRaw(port: number, request: RawRequest, waitMs = 1500): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      const headEnd = text.indexOf('\r\n\r\n');
      const head = headEnd === -1 ? text : text.slice(0, headEnd);
      const body = headEnd === -1 ? '' : text.slice(headEnd + 4);
      resolve({
        status: status === undefined ? undefined : Number(status),
        contentType: /\r\ncontent-type: *([^\r\n]*)/i.exec(head)?.[1],
        body: /\r\ntransfer-encoding: *chunked/i.test(head) ? unchunk(body) : body,
      });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', done);
    // Half-closed after the request: the server answers, then closes (no keep-alive wait).
    socket.end(request.bytes);
  });
}

/** The payload of a chunked body (as much of it as arrived). */
function unchunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd === -1) return out;
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!(size > 0)) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * Records what would take a Node process down while `run` runs: uncaught exceptions and
 * unhandled rejections (the listeners keep this test process alive to report them).
 */
export async function recordingFatalErrors<T>(run: () => Promise<T>): Promise<{ result: T; fatal: string[] }> {
  const fatal: string[] = [];
  const onException = (error: unknown) => fatal.push(`uncaught exception: ${String(error)}`);
  const onRejection = (reason: unknown) => fatal.push(`unhandled rejection: ${String(reason)}`);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  try {
    return { result: await run(), fatal };
  } finally {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  }
}
