// The chat example's backend: serves the page, bundles src/app.ts for the browser with esbuild,
// mints Pulse tokens, stores messages (so pages catch up after a reconnection) and publishes
// them with the server SDK. Typing indicators and presence go straight through Pulse.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createPulseClient } from '@openkbs-pulse/server';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Channel every chat page subscribes to. */
export const CHAT_CHANNEL = 'chat';
const MAX_TEXT = 2000;
const MAX_NAME = 40;
const KEEP_MESSAGES = 500;

/**
 * Bundles the browser code. `alias` maps package names to files (tests bundle from source).
 * @param {{ alias?: Record<string, string> }} [options]
 */
export async function bundleApp(options = {}) {
  const result = await build({
    entryPoints: [here('./src/app.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    sourcemap: 'inline',
    alias: options.alias ?? {},
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.text;
}

/**
 * Starts the chat backend.
 * @param {object} options
 * @param {{ kbId: string, apiKey: string, apiUrl?: string }} options.pulse Pulse credentials (server side only).
 * @param {number} [options.port] default 0 (any free port)
 * @param {string} [options.host] default 127.0.0.1
 * @param {Record<string, string>} [options.alias] esbuild aliases for the browser bundle
 */
export async function startChatServer(options) {
  const { kbId, apiKey, apiUrl } = options.pulse;
  const pulse = createPulseClient({ kbId, apiKey, apiUrl, retries: 0, timeoutMs: 3000 });
  const appJs = await bundleApp({ alias: options.alias });
  const [indexHtml, styleCss] = await Promise.all([
    readFile(here('./public/index.html'), 'utf8'),
    readFile(here('./public/style.css'), 'utf8'),
  ]);
  /** @type {{ id: number, userId: string, name: string, text: string, sentAt: number }[]} */
  const messages = [];
  let nextId = 1;

  const routes = {
    'GET /': () => send(200, indexHtml, 'text/html; charset=utf-8'),
    'GET /app.js': () => send(200, appJs, 'text/javascript; charset=utf-8'),
    'GET /style.css': () => send(200, styleCss, 'text/css; charset=utf-8'),
    'GET /favicon.ico': () => send(204, '', 'image/x-icon'),
    /**
     * A token for a new chat user; the name is only display data. This demo has no sign-in, so it
     * trusts the userId the page sends back (to keep one identity across token refreshes). A real
     * app must not: derive the userId from its own session (cookie, auth header) on the server.
     */
    'POST /api/token': async (body) => {
      const name = cleanText(body.name, MAX_NAME);
      if (!name) return json(400, { error: 'name is required' });
      const userId = typeof body.userId === 'string' && /^u-[0-9a-f]{12}$/.test(body.userId)
        ? body.userId
        : `u-${randomBytes(6).toString('hex')}`;
      const { token, endpoint } = await pulse.getToken(userId);
      return json(200, { token, endpoint, kbId, userId, name });
    },
    /** Messages after `after` (an id), so a page that was offline can catch up. */
    'GET /api/messages': (_body, url) => {
      const after = Number(url.searchParams.get('after') ?? 0) || 0;
      return json(200, { messages: messages.filter((m) => m.id > after) });
    },
    /** Stores a message, then publishes it to every page. */
    'POST /api/messages': async (body) => {
      const text = cleanText(body.text, MAX_TEXT);
      const name = cleanText(body.name, MAX_NAME);
      if (!text || !name || typeof body.userId !== 'string') return json(400, { error: 'userId, name and text are required' });
      const message = { id: nextId++, userId: body.userId.slice(0, 64), name, text, sentAt: Date.now() };
      messages.push(message);
      if (messages.length > KEEP_MESSAGES) messages.shift();
      let published = true;
      try {
        await pulse.publish(CHAT_CHANNEL, 'message', message);
      } catch (error) {
        // Stored anyway: pages fetch what they missed when they reconnect.
        published = false;
        console.warn(`[chat] publish failed (${error?.code ?? error}); pages will catch up on reconnect`);
      }
      return json(200, { message, published });
    },
  };

  /** The answer to one request; never rejects (hostile input gets a 4xx, a bug a 500). */
  async function answer(req) {
    try {
      const url = requestUrl(req);
      if (!url) return json(400, { error: 'the request target is not a valid path' });
      const route = routes[`${req.method} ${url.pathname}`];
      if (!route) return json(404, { error: 'not found' });
      return await route(req.method === 'POST' ? await readJson(req) : {}, url);
    } catch (error) {
      if (error instanceof BadRequest) return json(400, { error: error.message });
      console.error('[chat]', error);
      return json(500, { error: 'internal error' });
    }
  }

  const server = createServer((req, res) => {
    void answer(req).then((reply) => {
      // The client may be gone (it reset the connection mid-body): writing is then a no-op.
      if (res.headersSent || res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': reply.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(reply.body);
    }).catch((error) => {
      console.error('[chat]', error);
      res.destroy();
    });
  });
  server.on('clientError', refuseMalformed);
  // An Expect other than 100-continue: Node would answer a bare 417.
  server.on('checkExpectation', (_req, res) => {
    const reply = json(417, { error: 'only "Expect: 100-continue" is supported' });
    res.writeHead(reply.status, { 'content-type': reply.type }).end(reply.body);
  });
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
    messages,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      await pulse.close();
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
 * Answers a request Node's parser rejected (bad request line or headers, oversized headers) with
 * a JSON 4xx, as the routes answer bad input, instead of Node's bare 400.
 */
function refuseMalformed(error, socket) {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({ error: 'malformed HTTP request' });
  socket.end(`HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
}

function send(status, body, type) {
  return { status, body, type };
}

function json(status, value) {
  return send(status, JSON.stringify(value), 'application/json; charset=utf-8');
}

/** Trims, bounds and strips control characters; undefined when empty or not a string. */
function cleanText(value, max) {
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim().slice(0, max);
  return text.length > 0 ? text : undefined;
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  try {
    for await (const chunk of req) {
      size += chunk.length;
      if (size > 16 * 1024) throw new BadRequest('body too large');
      chunks.push(chunk);
    }
  } catch (error) {
    // A client that resets the connection mid-body is not a server failure.
    throw error instanceof BadRequest ? error : new BadRequest('the request body could not be read');
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequest('body must be a JSON object');
    return value;
  } catch (error) {
    throw error instanceof BadRequest ? error : new BadRequest('body must be JSON');
  }
}
