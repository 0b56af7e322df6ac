// An outside review found: stop() never finished while a refused client kept its half of the
// socket open (refusals ended the socket but never destroyed it).
import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { httpRequest } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close().catch(() => undefined);
});
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

for (const [name, extra, tokenOk] of [
  ['bad token (401)', {}, false],
  ['bad version', { 'Sec-WebSocket-Version': '7' }, true],
  ['malformed HTTP (the clientError path)', undefined, true],
] as const) {
  it(`${name}: stop() finishes with a half-open refused client`, async () => {
    service = await createPulseService();
    const token = tokenOk ? await service.createToken('alice') : 'nope';
    const h = { Host: `127.0.0.1:${service.port}`, Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', ...extra };
    const request = extra === undefined ? 'GARBAGE / HTTP/1.1\r\n\r\n' : httpRequest('GET', `/?kbId=${service.kbId}&token=${token}`, h);
    const { socket, text } = await halfOpen(service.port, request);
    expect(text).toMatch(/^HTTP\/1\.1 4\d\d /);
    const stopped = await within(service.stop(), 3000);
    socket.destroy();
    expect(stopped).not.toBe('timed out');
  });
}
