// Issue 12, findings 2 and 7: a web page on another origin must not be able to drive a
// developer's local service (mint tokens, read or forge messages, switch Pulse off, read /stats).
import { afterEach, describe, expect, it } from 'vitest';
import { buildConnectUrl } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, openClient } from './helpers.js';
import { httpRequest, rawRequest, upgradeHeaders } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

const host = (s: PulseService) => `127.0.0.1:${s.port}`;
const body = (s: PulseService, action: string) => JSON.stringify({ action, kbId: s.kbId, apiKey: s.apiKey });

describe('HTTP API: backends only', () => {
  it('refuses CORS preflights and sends no Access-Control-* header on any answer', async () => {
    service = await createPulseService();
    const preflight = await rawRequest(
      service.port,
      httpRequest('OPTIONS', '/', {
        Host: host(service),
        Origin: 'https://evil.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      }),
    );
    expect(preflight.status).toBe(403);
    expect(JSON.parse(preflight.body)).toMatchObject({ code: 'forbidden' });
    const ok = await rawRequest(
      service.port,
      httpRequest('POST', '/', { Host: host(service), 'Content-Type': 'application/json' }, body(service, 'pulseStatus')),
    );
    expect(ok.status).toBe(200);
    for (const answer of [preflight, ok]) expect(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a "simple" cross-site POST (text/plain, no preflight) without acting on it', async () => {
    service = await createPulseService();
    // What a page can send from any origin without a preflight, with the well-known default key.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const headers: Record<string, string> = { Host: host(service) };
      if (type) headers['Content-Type'] = type;
      const answer = await rawRequest(service.port, httpRequest('POST', '/', headers, body(service, 'disableElasticPulse')));
      expect(answer.status, type).toBe(415);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_message', error: expect.stringContaining('application/json') });
    }
    expect(service.stats().kbs[service.kbId]!.enabled).toBe(true);
  });

  it('refuses requests from a foreign Origin, and a non-loopback Host (DNS rebinding), without acting on them', async () => {
    service = await createPulseService();
    const json = { 'Content-Type': 'application/json' };
    const foreign = await rawRequest(
      service.port,
      httpRequest('POST', '/', { Host: host(service), Origin: 'https://evil.example', ...json }, body(service, 'disableElasticPulse')),
    );
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ code: 'forbidden', error: expect.stringContaining('allowedOrigins') });
    const rebound = await rawRequest(service.port, httpRequest('POST', '/', { Host: `evil.example:${service.port}`, ...json }, body(service, 'disableElasticPulse')));
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ code: 'forbidden', error: expect.stringContaining('Host') });
    expect(service.stats().kbs[service.kbId]!.enabled).toBe(true);
    // A page served from loopback (the demo, the examples) and a backend (no Origin) are fine.
    const local = await rawRequest(
      service.port,
      httpRequest('POST', '/', { Host: `localhost:${service.port}`, Origin: 'http://localhost:5173', ...json }, body(service, 'pulseStatus')),
    );
    expect(local.status).toBe(200);
  });
});

describe('WebSocket upgrade: Origin allow-list', () => {
  async function upgrade(s: PulseService, headers: Record<string, string>) {
    const token = await s.createToken('mallory');
    const path = buildConnectUrl('ws://x', { kbId: s.kbId, token }).slice('ws://x'.length) || '/';
    return rawRequest(s.port, httpRequest('GET', path.startsWith('/') ? path : `/${path}`, upgradeHeaders(host(s), headers)), { keepOpen: true });
  }

  it('refuses a valid token from a page on another origin, and from a DNS-rebound Host', async () => {
    service = await createPulseService();
    const foreign = await upgrade(service, { Origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ code: 'forbidden' });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const rebound = await upgrade(service, { Host: `evil.example:${service.port}`, Origin: `http://evil.example:${service.port}` });
    expect(rebound.status).toBe(403);
    expect(service.connections()).toEqual([]);
  });

  it('accepts clients without Origin, pages on loopback origins, and listed origins', async () => {
    service = await createPulseService({ allowedOrigins: ['https://app.example'] });
    expect((await upgrade(service, {})).status).toBe(101);
    expect((await upgrade(service, { Origin: 'http://localhost:5173' })).status).toBe(101);
    expect((await upgrade(service, { Origin: 'http://127.0.0.1:8080' })).status).toBe(101);
    expect((await upgrade(service, { Origin: 'https://app.example' })).status).toBe(101);
    expect((await upgrade(service, { Origin: 'https://app.example.evil' })).status).toBe(403);
    // And a real client still connects.
    const token = await service.createToken('alice');
    await openClient(buildConnectUrl(service.wsUrl, { kbId: service.kbId, token }));
  });
});

describe('read-outs: /stats', () => {
  it('is refused to foreign origins on loopback', async () => {
    service = await createPulseService();
    const foreign = await rawRequest(service.port, httpRequest('GET', '/stats', { Host: host(service), Origin: 'https://evil.example' }));
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toContain(service.kbId);
    const local = await rawRequest(service.port, httpRequest('GET', '/stats', { Host: host(service) }));
    expect(local.status).toBe(200);
    expect(JSON.parse(local.body)).toEqual(service.stats());
  });

  it('needs the API key when the service listens beyond loopback', async () => {
    service = await createPulseService({ host: '0.0.0.0', apiKey: 'the-key' });
    const anonymous = await rawRequest(service.port, httpRequest('GET', '/stats', { Host: `192.0.2.1:${service.port}` }));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).not.toContain(service.kbId);
    const wrong = await rawRequest(service.port, httpRequest('GET', '/stats', { Host: `192.0.2.1:${service.port}`, Authorization: 'Bearer the-kez' }));
    expect(wrong.status).toBe(401);
    const keyed = await rawRequest(service.port, httpRequest('GET', '/stats', { Host: `192.0.2.1:${service.port}`, Authorization: 'Bearer the-key' }));
    expect(keyed.status).toBe(200);
    expect(JSON.parse(keyed.body)).toMatchObject({ kbs: { [service.kbId]: expect.any(Object) } });
  });
});
