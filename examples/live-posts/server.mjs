// Serves the Live Posts page, the client's pulse.js (as a script tag would load it from a CDN), and
// POST /posts through the tutorial's Lambda-style handler.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandler } from './handler.mjs';

const require = createRequire(import.meta.url);

/** Path of the client's script-tag bundle (global `Pulse`), built by `corepack pnpm build`. */
export function pulseScriptPath() {
  return join(dirname(require.resolve('openkbs-pulse/package.json')), 'pulse.js');
}

/**
 * @param {{ port?: number, host?: string, handler?: ReturnType<typeof createHandler>, pulseScript?: string }} [options]
 */
export async function startLivePosts(options = {}) {
  const handler = options.handler ?? createHandler();
  const page = await readFile(fileURLToPath(new URL('./public/index.html', import.meta.url)), 'utf8');
  const scriptPath = options.pulseScript ?? pulseScriptPath();

  const json = (res, status, value) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

  async function serve(req, res) {
    const url = requestUrl(req);
    if (!url) return json(res, 400, { error: 'the request target is not a valid path' });
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (req.method === 'GET' && url.pathname === '/pulse.js') {
      const script = await readFile(scriptPath, 'utf8').catch(() => undefined);
      if (script === undefined) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('pulse.js is not built: run `corepack pnpm build`');
      } else res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (url.pathname === '/posts' && (req.method === 'POST' || req.method === 'OPTIONS')) {
      const body = await readBody(req);
      const problem = req.method === 'POST' ? requestProblem(body) : undefined;
      if (problem) return json(res, 400, { error: problem });
      // The shape of a Lambda function URL event, as far as the handler reads it.
      const result = await handler({ body, requestContext: { http: { method: req.method } } });
      res.writeHead(result.statusCode, result.headers ?? {}).end(result.body ?? '');
    } else if (req.method === 'GET' && url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      json(res, 404, { error: 'not found' });
    }
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error) => {
      const status = error instanceof BadRequest ? 400 : 500;
      if (status === 500) console.error('[live-posts]', error);
      // The client may be gone (it reset the connection mid-body): nothing to answer then.
      if (res.headersSent || res.destroyed) return;
      json(res, status, { error: status === 400 ? error.message : 'internal error' });
    });
  });
  server.on('clientError', refuseMalformed);
  // An Expect other than 100-continue: Node would answer a bare 417.
  server.on('checkExpectation', (_req, res) => json(res, 417, { error: 'only "Expect: 100-continue" is supported' }));
  const host = options.host ?? '127.0.0.1';
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      await handler.close();
    },
  };
}

class BadRequest extends Error {}

/** The request's URL, or undefined when its target is no path this server can parse (`//[`). */
function requestUrl(req) {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with a POST /posts body, checked before the tutorial's handler sees it (the
 * handler trusts its input: `null` or a number where it reads fields would be a 500, and a token
 * for no user a failed SDK call). Undefined when it is fine.
 */
function requestProblem(body) {
  let value;
  try {
    value = JSON.parse(body || '{}');
  } catch {
    return 'invalid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the body must be a JSON object';
  const isText = (field, max) => typeof field === 'string' && field.length > 0 && field.length <= max;
  if (value.action === 'getPulseToken' && !isText(value.userId, 64)) return 'userId must be a string of 1 to 64 characters';
  if (value.action === 'create' && !(isText(value.userName, 64) && isText(value.content, 2000))) {
    return 'userName (1 to 64 characters) and content (1 to 2000) are required';
  }
  return undefined;
}

/** Answers a request Node's parser rejected with a JSON 4xx instead of Node's bare 400. */
function refuseMalformed(error, socket) {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({ error: 'malformed HTTP request' });
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += chunk.length;
      if (size > 64 * 1024) throw new BadRequest('body too large');
      chunks.push(chunk);
    }
  } catch (error) {
    // A client that resets the connection mid-body is not a server failure.
    throw error instanceof BadRequest ? error : new BadRequest('the request body could not be read');
  }
  return Buffer.concat(chunks).toString('utf8');
}
