// Redirects are never followed, on either transport, over real sockets: a 307/308 would re-send
// the body (API key included) to the Location, and a 301/302/303 would turn the POST into a GET
// whose answer was taken for a successful publish. The error names the Location, never the key.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseClient, type PulseClient } from '../src/client.js';
import { isPulseApiError } from '../src/errors.js';
import { loadUndici, type FetchLike, type TransportKind } from '../src/transport.js';
import { API_KEY, everyRendering, KB_ID } from './helpers.js';

const servers: Server[] = [];
const clients: PulseClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

async function listen(handler: (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A server that takes whatever reaches it for a publish answer, and records what it received. */
async function thief(): Promise<{ url: string; received: string[] }> {
  const received: string[] = [];
  const url = await listen((req, body, res) => {
    received.push(`${req.method} ${body}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ delivered: 1, timestamp: 1 }));
  });
  return { url: `${url}/steal`, received };
}

/** The "API": answers every POST with `status` and a Location pointing at `location`. */
const redirector = (status: number, location: string) =>
  listen((_req, _body, res) => res.writeHead(status, { location, 'content-type': 'text/plain' }).end('moved'));

function client(apiUrl: string, transport: TransportKind, fetch?: FetchLike, dispatcher?: import('undici').Dispatcher): PulseClient {
  const made = createPulseClient({ apiUrl, kbId: KB_ID, apiKey: API_KEY, transport, fetch, dispatcher, retries: 0, env: () => ({}) });
  clients.push(made);
  return made;
}

describe.each(['fetch', 'undici'] as const)('redirects on the %s transport', (transport) => {
  it.each([301, 302, 303, 307, 308])('HTTP %i: not followed, a typed error naming the Location, nothing reaches it', async (status) => {
    const target = await thief();
    const api = await redirector(status, target.url);
    const error = await client(api, transport)
      .publish('orders', 'new_order', { id: 1 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isPulseApiError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_response', status, retryable: false, attempts: 1, action: 'pulsePublish' });
    expect((error as Error).message).toContain(target.url);
    expect(await everyRendering(error)).not.toContain(API_KEY);
    expect(target.received).toEqual([]);
  });

  it('a relative Location is named as the absolute URL it points to', async () => {
    const api = await redirector(308, '/v2/api');
    const error = await client(api, transport).status().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_response', status: 308 });
    expect((error as Error).message).toContain(`${api}/v2/api`);
  });
});

it('a custom fetch that follows redirects anyway: the answer is refused, naming where it ended up', async () => {
  const target = await thief();
  const api = await redirector(303, target.url);
  // A fetch wrapper that overrides `redirect: 'manual'` (the request did reach the target: the
  // SDK cannot stop a fetch it does not control, but it must not report success).
  const following: FetchLike = (url, init) => globalThis.fetch(url, { ...init, redirect: 'follow' });
  const error = await client(api, 'fetch', following)
    .publish('orders', 'new_order', { id: 1 })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'invalid_response', retryable: false });
  expect((error as Error).message).toContain(target.url);
  expect(target.received).toEqual(['GET ']);
});

it("a caller's undici dispatcher with the redirect interceptor does not follow either", async () => {
  const undici = await loadUndici();
  if (!undici) throw new Error('undici must load in Node');
  const following = new undici.Agent().compose(undici.interceptors.redirect({ maxRedirections: 3 }));
  const target = await thief();
  const api = await redirector(307, target.url);
  try {
    const error = await client(api, 'undici', undefined, following)
      .publish('orders', 'new_order', { id: 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_response', status: 307 });
    expect(target.received).toEqual([]);
  } finally {
    await following.close();
  }
});
