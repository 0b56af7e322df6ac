// An outside review found: WebSocket upgrades that carry a VALID token but a handshake ws refuses. The service
// answers every other refused upgrade with its JSON `{ error, code }` (README "Behaviour":
// "Refused upgrades answer HTTP with a JSON body { error, code }"; docs/security.md: every
// request handler is total, "a 4xx with the JSON body { error, code }"). These reach ws's own
// abortHandshake, which answers text/html with a plain-text body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { httpRequest, rawRequest, upgradeHeaders } from './raw-http.js';

let service: PulseService;
let token: string;
beforeAll(async () => {
  service = await createPulseService();
  token = await service.createToken('alice');
});
afterAll(() => service.close());

const base = (host: string): Record<string, string> => upgradeHeaders(host);

const cases: [string, (h: Record<string, string>) => Record<string, string>, string?][] = [
  ['Sec-WebSocket-Version 7', (h) => ({ ...h, 'Sec-WebSocket-Version': '7' })],
  ['no Sec-WebSocket-Key', (h) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'Sec-WebSocket-Key'))],
  ['malformed Sec-WebSocket-Key', (h) => ({ ...h, 'Sec-WebSocket-Key': 'short' })],
  ['malformed Sec-WebSocket-Protocol', (h) => ({ ...h, 'Sec-WebSocket-Protocol': 'a,,b' })],
  ['POST upgrade', (h) => h, 'POST'],
];

describe('upgrades with a valid token that ws refuses', () => {
  for (const [name, headers, method] of cases) {
    it(`${name}: a 4xx with the service's JSON { error, code } body`, async () => {
      const path = `/?kbId=${service.kbId}&token=${token}`;
      const answer = await rawRequest(service.port, httpRequest(method ?? 'GET', path, headers(base(`127.0.0.1:${service.port}`))), { waitMs: 3000 });
      if (process.env.REVIEW_DEBUG) console.log(name, JSON.stringify(answer.text));
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      let body: unknown;
      try {
        body = JSON.parse(answer.body);
      } catch {
        body = `not JSON (${answer.headers['content-type']}): ${answer.body}`;
      }
      expect(body).toEqual({ error: expect.any(String), code: expect.any(String) });
    });
  }
});
