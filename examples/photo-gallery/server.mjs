// The gallery backend, shaped like the seed's Elastic Function (actions list / upload / delete /
// getToken, publishing photo_added / photo_deleted on the `gallery` channel), with photos kept in
// memory instead of S3 + Postgres, and the React app served by Vite in middleware mode.
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPulseClient } from '@openkbs-pulse/server';

const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const CHANNEL = 'gallery';

/**
 * The API as a Lambda-style handler: ({ body }) -> { statusCode, body, headers? }.
 * @param {{ kbId: string, apiKey: string, apiUrl?: string }} credentials
 */
export function createGalleryApi({ kbId, apiKey, apiUrl }) {
  const pulse = createPulseClient({ kbId, apiKey, apiUrl });
  /** @type {Map<number, { photo: object, bytes: Buffer, type: string }>} */
  const photos = new Map();
  let nextId = 1;
  const json = (statusCode, value) => ({ statusCode, body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

  async function handler(event) {
    let body;
    try {
      body = JSON.parse(event.body || '{}');
    } catch {
      return json(400, { error: 'Invalid JSON' });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return json(400, { error: 'the body must be a JSON object' });
    const { action, ...data } = body;
    switch (action) {
      case 'list':
        return json(200, [...photos.values()].map((p) => p.photo).reverse());
      case 'upload': {
        const filename = typeof data.filename === 'string' ? data.filename.replace(/[^\w.-]/g, '_').slice(0, 100) : '';
        if (!filename || typeof data.content !== 'string') return json(400, { error: 'filename and content are required' });
        const bytes = Buffer.from(data.content, 'base64');
        if (bytes.length === 0 || bytes.length > MAX_UPLOAD_BYTES) return json(400, { error: 'empty or too large' });
        const id = nextId++;
        const photo = {
          id,
          filename,
          caption: typeof data.caption === 'string' ? data.caption.slice(0, 200) : '',
          uploaded_by: typeof data.uploadedBy === 'string' ? data.uploadedBy.slice(0, 64) : 'anonymous',
          url: `/media/${id}/${encodeURIComponent(filename)}`,
          created_at: Date.now(),
        };
        photos.set(id, { photo, bytes, type: imageType(filename) });
        // Broadcast to all connected clients (the photo itself stays here: 32 KB frame limit).
        await pulse.publish(CHANNEL, 'photo_added', photo);
        return json(200, photo);
      }
      case 'delete': {
        if (!photos.delete(Number(data.id))) return json(404, { error: 'no such photo' });
        await pulse.publish(CHANNEL, 'photo_deleted', { id: Number(data.id) });
        return json(200, { success: true });
      }
      case 'getToken': {
        if (typeof data.userId !== 'string' || data.userId.trim().length === 0) return json(400, { error: 'userId is required' });
        const tokenData = await pulse.getToken(data.userId.slice(0, 64));
        return json(200, { ...tokenData, kbId });
      }
      default:
        return json(400, { error: 'Invalid action' });
    }
  }

  /** GET /media/:id/:name */
  function media(path) {
    const match = /^\/media\/(\d+)\//.exec(path);
    const entry = match ? photos.get(Number(match[1])) : undefined;
    return entry ? { statusCode: 200, body: entry.bytes, headers: { 'content-type': entry.type } } : undefined;
  }

  return { handler, media, close: () => pulse.close() };
}

/**
 * Folders outside the gallery the page's modules come from: the aliased sources (tests bundle
 * the packages from src/), else the built client package.
 */
function importedDirs(alias) {
  const targets = Object.values(alias ?? {});
  if (targets.length > 0) return targets.map((file) => dirname(file));
  return [dirname(createRequire(import.meta.url).resolve('openkbs-pulse'))];
}

/** The request's URL, or undefined when its target is no path this server can parse (`//[`). */
function requestUrl(req) {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
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

function imageType(filename) {
  const ext = filename.split('.').pop()?.toLowerCase();
  return { png: 'image/png', gif: 'image/gif', webp: 'image/webp', svg: 'application/octet-stream' }[ext] ?? 'image/jpeg';
}

/**
 * Starts the API and the Vite dev server (middleware mode) on one port.
 * @param {{ pulse: { kbId: string, apiKey: string, apiUrl?: string }, port?: number, host?: string, alias?: Record<string, string> }} options
 */
export async function startGallery(options) {
  const { createServer: createViteServer } = await import('vite');
  const { default: react } = await import('@vitejs/plugin-react');
  const api = createGalleryApi(options.pulse);
  const root = fileURLToPath(new URL('.', import.meta.url));
  const vite = await createViteServer({
    root,
    configFile: false,
    appType: 'spa',
    logLevel: 'warn',
    plugins: [react()],
    resolve: { alias: options.alias ?? {} },
    server: {
      middlewareMode: true,
      hmr: false,
      // Vite's default allows the whole workspace under /@fs/ (every file of the monorepo, any
      // secret in it): only this folder, and the files the page imports from elsewhere.
      fs: { strict: true, allow: [root, ...importedDirs(options.alias)] },
    },
  });

  const json = (res, status, value) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

  async function serve(req, res) {
    const url = requestUrl(req);
    if (!url) return json(res, 400, { error: 'the request target is not a valid path' });
    if (url.pathname === '/api' && req.method === 'POST') {
      const chunks = [];
      let size = 0;
      try {
        for await (const chunk of req) {
          size += chunk.length;
          if (size > MAX_UPLOAD_BYTES * 1.4) return json(res, 413, { error: 'body too large' });
          chunks.push(chunk);
        }
      } catch {
        // The client reset the connection mid-body: nobody to answer.
        return undefined;
      }
      const result = await api.handler({ body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(result.statusCode, result.headers).end(result.body);
      return undefined;
    }
    if (url.pathname.startsWith('/media/') && req.method === 'GET') {
      const result = api.media(url.pathname);
      if (result) res.writeHead(200, { ...result.headers, 'x-content-type-options': 'nosniff' }).end(result.body);
      else json(res, 404, { error: 'no such photo' });
      return undefined;
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/media/')) return json(res, 405, { error: 'method not allowed' });
    vite.middlewares(req, res);
    return undefined;
  }

  const server = createHttpServer((req, res) => {
    serve(req, res).catch((error) => {
      console.error('[gallery]', error);
      if (res.headersSent || res.destroyed) return;
      json(res, 500, { error: 'internal error' });
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
      await vite.close();
      await api.close();
    },
  };
}
