// An outside review found: a refused upgrade was answered with socket.end() only, so a client that
// kept its half open kept the server's socket and stop() waiting; and the inspector feed answered
// handshakes ws refuses with text/html.
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { halfOpen, httpRequest, rawRequest, upgradeHeaders, within } from './raw-http.js';

const headers = (port: number, extra: Record<string, string> = {}): Record<string, string> => upgradeHeaders(`127.0.0.1:${port}`, extra);

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close().catch(() => undefined);
  service = undefined;
});

describe('refused upgrades and handshakes', () => {
  it('a handshake ws refuses (bad version), from a client that keeps its half open: stop() still finishes', async () => {
    service = await createPulseService();
    const token = await service.createToken('alice');
    const path = `/?kbId=${service.kbId}&token=${token}`;
    const { socket, text } = await halfOpen(service.port, httpRequest('GET', path, headers(service.port, { 'Sec-WebSocket-Version': '7' })));
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    const stopped = await within(service.stop(), 4000);
    socket.destroy();
    expect(stopped).not.toBe('timed out');
  });

  it('an Upgrade header other than websocket gets the JSON body', async () => {
    service = await createPulseService();
    const token = await service.createToken('alice');
    const path = `/?kbId=${service.kbId}&token=${token}`;
    const answer = await rawRequest(service.port, httpRequest('GET', path, headers(service.port, { Upgrade: 'h2c' })), { waitMs: 3000 });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.any(String), code: 'invalid_message' });
  });

  it('the inspector feed: a handshake ws refuses gets the JSON { error, code } body too', async () => {
    service = await createPulseService();
    const session = await fetch(`${service.apiUrl}/_inspector/session`);
    expect(session.status).toBe(200);
    const { token, kbId } = (await session.json()) as { token: string; kbId: string };
    const path = `/_inspector/feed?kbId=${encodeURIComponent(kbId)}&token=${token}`;
    const answer = await rawRequest(service.port, httpRequest('GET', path, headers(service.port, { 'Sec-WebSocket-Version': '7' })), { waitMs: 3000 });
    expect(answer.status).toBe(400);
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      body = `not JSON (${answer.headers['content-type']}): ${answer.body}`;
    }
    expect(body).toEqual({ error: expect.any(String), code: expect.any(String) });
  });
});
