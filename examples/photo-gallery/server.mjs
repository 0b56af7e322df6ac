// The gallery backend, shaped like the seed's Elastic Function (actions list / upload / delete /
// getToken, publishing photo_added / photo_deleted on the `gallery` channel), with photos kept in
// memory instead of S3 + Postgres, and the React app served by Vite in middleware mode.
import { createServer as createHttpServer } from 'node:http';
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
        if (typeof data.userId !== 'string' || data.userId.length === 0) return json(400, { error: 'userId is required' });
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
  const vite = await createViteServer({
    root: fileURLToPath(new URL('.', import.meta.url)),
    configFile: false,
    appType: 'spa',
    logLevel: 'warn',
    plugins: [react()],
    resolve: { alias: options.alias ?? {} },
    server: { middlewareMode: true, hmr: false },
  });

  const server = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/api' && req.method === 'POST') {
        const chunks = [];
        let size = 0;
        for await (const chunk of req) {
          size += chunk.length;
          if (size > MAX_UPLOAD_BYTES * 1.4) {
            res.writeHead(413).end();
            return;
          }
          chunks.push(chunk);
        }
        const result = await api.handler({ body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(result.statusCode, result.headers).end(result.body);
        return;
      }
      if (url.pathname.startsWith('/media/') && req.method === 'GET') {
        const result = api.media(url.pathname);
        if (result) res.writeHead(200, { ...result.headers, 'x-content-type-options': 'nosniff' }).end(result.body);
        else res.writeHead(404).end();
        return;
      }
      vite.middlewares(req, res);
    } catch (error) {
      console.error('[gallery]', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
    }
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
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      await vite.close();
      await api.close();
    },
  };
}
