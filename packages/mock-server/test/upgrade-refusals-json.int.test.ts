// An outside review found: a refused upgrade was answered with socket.end() only, so a client that
// kept its half open kept the server's socket and stop() waiting; and the inspector feed answered
// handshakes ws refuses with text/html.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { httpRequest, rawRequest } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close().catch(() => undefined);
  service = undefined;
});

const headers = (port: number, extra: Record<string, string> = {}): Record<string, string> => ({
  Host: `127.0.0.1:${port}`,
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version': '13',
  ...extra,
});

/** Sends `request` on a socket that never half-closes its side; resolves once the answer and FIN arrived. */
function halfOpen(port: number, request: string): Promise<{ socket: Socket; text: string }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve({ socket, text }));
    socket.on('error', () => undefined);
    socket.write(request);
  });
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms))]);

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
