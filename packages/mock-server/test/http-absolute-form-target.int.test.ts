// An outside review found: a request-target in absolute form (POST http://host:port/) was answered
// 404 by the HTTP API and /stats.
// RFC 9112 §3.2.2: "a server MUST accept the absolute-form in requests" (what an HTTP client
// sends when it is configured to use a proxy, e.g. HTTP_PROXY pointed at a forwarding proxy that
// passes the target through). The API and /stats compare the raw request-target with "/" and
// "/stats", so `POST http://127.0.0.1:PORT/ HTTP/1.1` is answered 404 "no Pulse API at
// http://127.0.0.1:PORT/", which is the API's own URL. (The WebSocket upgrade parses req.url
// as a URL and accepts it: the two paths of the same service disagree.)
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { rawRequest } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
});

it('answers a request whose target is in absolute-form like the same request in origin-form', async () => {
  service = await createPulseService();
  const port = service.port;
  const body = JSON.stringify({ action: 'pulseStatus', kbId: service.kbId, apiKey: service.apiKey });
  const request = (target: string) =>
    rawRequest(port, `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);

  const origin = await request('/');
  expect(origin.status).toBe(200);
  const absolute = await request(`http://127.0.0.1:${port}/`);
  expect({ status: absolute.status, body: JSON.parse(absolute.body) }).toEqual({ status: 200, body: JSON.parse(origin.body) });

  const stats = await rawRequest(port, `GET http://127.0.0.1:${port}/stats HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  expect(stats.status).toBe(200);
});

it('serves the inspector page and feed to a request-target in absolute form', async () => {
  service = await createPulseService();
  const port = service.port;
  // Kept open: an upgrade whose socket is half-closed is dropped.
  const get = (target: string, headers = 'Connection: close\r\n') =>
    rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}\r\n`, { keepOpen: true });

  expect((await get(`http://127.0.0.1:${port}/_inspector`)).status).toBe(200);
  const session = (await (await fetch(`${service.url}/_inspector/session`)).json()) as { kbId: string; token: string };
  const query = new URLSearchParams({ kbId: session.kbId, token: session.token });
  const upgrade = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
  expect((await get(`http://127.0.0.1:${port}/_inspector/feed?${query}`, upgrade)).status).toBe(101);
});
