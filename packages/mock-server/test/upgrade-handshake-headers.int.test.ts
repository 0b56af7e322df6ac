// An outside review found: refuseHandshake (refuse.ts) replaces ws's own answer to a handshake it refuses. ws's answer to
// an unsupported Sec-WebSocket-Version carries `Sec-WebSocket-Version: 13, 8`, which RFC 6455
// 4.2.2 requires ("send an appropriate HTTP error code ... and a |Sec-WebSocket-Version| header
// field indicating the version(s) the server is capable of understanding"); the JSON answer
// drops it (ws passes the headers to abortHandshake only, not to wsClientError listeners).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { httpRequest, rawRequest, upgradeHeaders } from './raw-http.js';

let service: PulseService;
let token: string;
beforeAll(async () => {
  service = await createPulseService({ inspector: true } as never);
  token = await service.createToken('alice');
});
afterAll(() => service.close());

const headers = (host: string, version: string): Record<string, string> => upgradeHeaders(host, { 'Sec-WebSocket-Version': version });

describe('handshake refusals keep the headers the protocol requires', () => {
  it('an unsupported Sec-WebSocket-Version is answered with the versions the service speaks', async () => {
    const path = `/?kbId=${service.kbId}&token=${token}`;
    const answer = await rawRequest(service.port, httpRequest('GET', path, headers(`127.0.0.1:${service.port}`, '7')), { waitMs: 3000 });
    expect(answer.status).toBe(400);
    expect(answer.headers['sec-websocket-version']).toBe('13, 8');
  });
});
