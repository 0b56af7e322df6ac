// An outside review found: the request-target reader resolved targets as URLs (`//x/` reached the API root, `/a/../stats` /stats) and never checked an absolute-form target's own host.
// Attacks 880b378 (target.ts requestTarget: `new URL(req.url, 'http://local')` for every route).
// 1. An origin-form target that starts with `//` (RFC 9112 origin-form = absolute-path, so
//    `//x/` is the path "//x/") is parsed by WHATWG URL as a scheme-relative URL: `x` becomes the
//    host and the path "/". `POST //anything/` is now the HTTP API and `GET //x/stats` is /stats;
//    before the fix both were 404 ("no Pulse API at //x/").
// 2. An absolute-form target with a non-loopback authority (`GET http://evil.example/stats` with
//    `Host: 127.0.0.1`) is served on a loopback-only service. RFC 9112 §3.2.2: a server receiving
//    the absolute form MUST ignore Host and use the target's host; access.ts documents that the
//    local service "only answers requests addressed to localhost, 127.0.0.1 or [::1]" (the
//    DNS-rebinding rule), yet the target's host is never checked. Any scheme is taken too
//    (`ftp://x/stats`, `file:///`).
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { rawRequest } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
});

it('an origin-form path starting with // is not the API root nor /stats', async () => {
  service = await createPulseService();
  const port = service.port;
  const body = JSON.stringify({ action: 'pulseStatus', kbId: service.kbId, apiKey: service.apiKey });
  const post = (target: string) =>
    rawRequest(port, `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  const get = (target: string) => rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  const answers = {
    apiDoubleSlash: (await post('//api/')).status,
    apiDoubleSlashHost: (await post('//evil.example/')).status,
    statsDoubleSlash: (await get('//evil.example/stats')).status,
    dotSegments: (await get('/a/../stats')).status,
    encodedDots: (await post('/%2e%2e/')).status,
    backslash: (await post('/\\x')).status,
    inspectorDotSegments: (await get('/_inspector/../stats')).status,
  };
  // Actual: 200 for each (the path "//api/" is not "/", nor is "/a/../stats" "/stats").
  expect(answers).toEqual({ apiDoubleSlash: 404, apiDoubleSlashHost: 404, statsDoubleSlash: 404, dotSegments: 404, encodedDots: 404, backslash: 404, inspectorDotSegments: 404 });
  // The routes by their own paths still answer.
  expect((await post('/')).status).toBe(200);
  expect((await get('/stats')).status).toBe(200);
  expect((await get(`http://127.0.0.1:${port}/stats`)).status).toBe(200);
});

it('an absolute-form target naming a host that is not loopback is refused like a non-loopback Host', async () => {
  service = await createPulseService(); // listens on 127.0.0.1: loopback only
  const port = service.port;
  const get = (target: string, host: string) => rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  // The reference: the same request addressed to evil.example by its Host header is refused.
  expect((await get('/stats', 'evil.example')).status).toBe(403);
  const answers = {
    absoluteEvil: (await get('http://evil.example/stats', `127.0.0.1:${port}`)).status,
    absoluteFtp: (await get('ftp://evil.example/stats', `127.0.0.1:${port}`)).status,
  };
  // Actual: 200 and 200 (every tenant's stats served for a request addressed to evil.example).
  expect(answers.absoluteEvil).not.toBe(200);
  expect(answers.absoluteFtp).not.toBe(200);
});

it('an inspector feed upgrade in absolute form naming a host that is not loopback is refused, even with a same-origin Origin', async () => {
  service = await createPulseService();
  const port = service.port;
  const session = (await (await fetch(`${service.url}/_inspector/session`)).json()) as { kbId: string; token: string };
  const query = new URLSearchParams({ kbId: session.kbId, token: session.token });
  const upgrade = (target: string) =>
    rawRequest(
      port,
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      { keepOpen: true },
    );
  // The reference: the same upgrade addressed to loopback is taken.
  expect((await upgrade(`http://127.0.0.1:${port}/_inspector/feed?${query}`)).status).toBe(101);
  // The Origin matches the Host header, but the request is for evil.example (RFC 9112 §3.2.2).
  expect((await upgrade(`http://evil.example/_inspector/feed?${query}`)).status).toBe(403);
});
