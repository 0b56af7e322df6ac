// Answers are read up to maxResponseBytes (default 16 MiB) and no further, on both transports, over
// real sockets: beyond it reading stops (the connection is dropped, the server sees it close long
// before it sent everything) and the call fails with a typed error.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseClient, type PulseClient } from '../src/client.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../src/transport.js';
import { API_KEY, KB_ID, PUBLISH_RESPONSE } from './helpers.js';

const MiB = 1024 * 1024;
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

async function listen(answer: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * An API that streams `total` bytes of a JSON answer (chunked, no Content-Length), honouring
 * backpressure; `sent` resolves with the bytes handed to the socket when the response closes.
 */
async function floodingApi(total: number): Promise<{ url: string; sent: Promise<number> }> {
  let report: (bytes: number) => void = () => undefined;
  const sent = new Promise<number>((resolve) => (report = resolve));
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const url = await listen((res) => {
    let written = 0;
    res.on('close', () => report(written));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"delivered":1,"timestamp":1,"pad":"');
    const pump = () => {
      while (written < total && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end('"}');
    };
    pump();
  });
  return { url, sent };
}

function client(apiUrl: string, transport: 'fetch' | 'undici', maxResponseBytes?: number): PulseClient {
  const made = createPulseClient({ apiUrl, kbId: KB_ID, apiKey: API_KEY, transport, maxResponseBytes, retries: 0, timeoutMs: 60_000, env: () => ({}) });
  clients.push(made);
  return made;
}

describe.each(['fetch', 'undici'] as const)('response size on the %s transport', (transport) => {
  it('a 600 MB answer: reading stops after maxResponseBytes (16 MiB), the connection is dropped, a typed error', async () => {
    const total = 600 * MiB;
    const api = await floodingApi(total);
    const error = await client(api.url, transport)
      .publish('orders', 'new_order', { id: 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_response', status: 200, retryable: false, action: 'pulsePublish' });
    expect((error as Error).message).toContain(`maxResponseBytes (${DEFAULT_MAX_RESPONSE_BYTES})`);
    // What the server managed to hand over before the client hung up: the bound plus socket and
    // stream buffers, nowhere near the whole answer.
    expect(await api.sent).toBeLessThan(64 * MiB);
  });

  it('a declared Content-Length over the bound fails before the body is read', async () => {
    const url = await listen((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(600 * MiB) });
      res.write('{"delivered":1');
    });
    const error = await client(url, transport)
      .publish('orders', 'new_order', { id: 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_response', status: 200 });
    expect((error as Error).message).toContain(`${600 * MiB} bytes (Content-Length)`);
  });

  it('error answers are bounded too, and the bound is an option', async () => {
    const body = JSON.stringify({ error: 'x'.repeat(10_000), code: 'server_error' });
    const url = await listen((res) => res.writeHead(500, { 'content-type': 'application/json' }).end(body));
    const error = await client(url, transport, 4096)
      .status()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_response', status: 500, retryable: false });
    expect((error as Error).message).toContain('maxResponseBytes (4096)');
    // The same answer under the default bound is read and mapped as usual.
    expect(await client(url, transport).status().catch((e: unknown) => e)).toMatchObject({ code: 'server_error', status: 500 });
  });

  it('an answer of exactly maxResponseBytes is read', async () => {
    const answer = JSON.stringify(PUBLISH_RESPONSE);
    const url = await listen((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
    await expect(client(url, transport, Buffer.byteLength(answer)).publish('orders', 'new_order', {})).resolves.toEqual(PUBLISH_RESPONSE);
    await expect(client(url, transport, Buffer.byteLength(answer) - 1).publish('orders', 'new_order', {})).rejects.toMatchObject({
      code: 'invalid_response',
    });
  });
});

it('maxResponseBytes must be a positive number', () => {
  expect(() => createPulseClient({ maxResponseBytes: 0 })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  expect(() => createPulseClient({ maxResponseBytes: Number.NaN })).toThrow(/maxResponseBytes/);
});
