// An outside review found: stop() never finished while a refused client kept its half of the
// socket open (refusals ended the socket but never destroyed it).
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { halfOpen, httpRequest, upgradeHeaders, within } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close().catch(() => undefined);
});
for (const [name, extra, tokenOk] of [
  ['bad token (401)', {}, false],
  ['bad version', { 'Sec-WebSocket-Version': '7' }, true],
  ['malformed HTTP (the clientError path)', undefined, true],
] as const) {
  it(`${name}: stop() finishes with a half-open refused client`, async () => {
    service = await createPulseService();
    const token = tokenOk ? await service.createToken('alice') : 'nope';
    const h = upgradeHeaders(`127.0.0.1:${service.port}`, extra);
    const request = extra === undefined ? 'GARBAGE / HTTP/1.1\r\n\r\n' : httpRequest('GET', `/?kbId=${service.kbId}&token=${token}`, h);
    const { socket, text } = await halfOpen(service.port, request);
    expect(text).toMatch(/^HTTP\/1\.1 4\d\d /);
    const stopped = await within(service.stop(), 3000);
    socket.destroy();
    expect(stopped).not.toBe('timed out');
  });
}
