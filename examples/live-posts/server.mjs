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

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method === 'GET' && url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      } else if (req.method === 'GET' && url.pathname === '/pulse.js') {
        const script = await readFile(scriptPath, 'utf8').catch(() => undefined);
        if (script === undefined) {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('pulse.js is not built: run `corepack pnpm build`');
        } else res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
      } else if (url.pathname === '/posts' && (req.method === 'POST' || req.method === 'OPTIONS')) {
        const body = await readBody(req);
        // The shape of a Lambda function URL event, as far as the handler reads it.
        const result = await handler({ body, requestContext: { http: { method: req.method } } });
        res.writeHead(result.statusCode, result.headers ?? {}).end(result.body ?? '');
      } else if (req.method === 'GET' && url.pathname === '/favicon.ico') {
        res.writeHead(204).end();
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      }
    } catch (error) {
      const status = error instanceof SyntaxError ? 400 : 500;
      if (status === 500) console.error('[live-posts]', error);
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: status === 400 ? 'invalid JSON' : 'internal error' }));
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
      await handler.close();
    },
  };
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new SyntaxError('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
