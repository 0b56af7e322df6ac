// An outside review found: getToken refuses every token a local service on a fake clock mints,
// even when the client is given that same clock. createFakeClock() starts at 2024-01-01 and its doc
// says "pass it as the clock option of the client, the server SDK or the local service"; the
// service then stamps its tokens with exp = 2024-01-02, and the protocol's createPulseToken
// validator (packages/protocol/src/api.ts) compares exp with Date.now(), not the client's clock:
// "getToken ... answered with an unexpected shape: token has already expired (its exp claim has
// passed): check the clock of this server. Fix: check that the URL points at a Pulse service".
// The token is valid for the service it came from (service.createToken's tokens connect), so a
// backend's /auth route under test cannot be driven with the documented fake clock at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock, createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { createPulseClient } from '../src/index.js';

const clock = createFakeClock();
let service: PulseService;
beforeAll(async () => {
  service = await createPulseService({ clock });
});
afterAll(() => service.close());

describe('getToken against a local service on a fake clock', () => {
  it('resolves with the token when the client has the same clock', async () => {
    const client = createPulseClient({ kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl, clock, retries: 0 });
    try {
      const answer = await client.getToken('alice', { expiresIn: 3600 });
      expect(answer.expiresIn).toBe(3600);
      expect(answer.endpoint).toBe(service.wsUrl);
    } finally {
      await client.close();
    }
  });

  it('resolves with the token for the default lifetime too (the docs/testing.md setup)', async () => {
    const client = createPulseClient({ kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl, clock, retries: 0 });
    try {
      await expect(client.getToken('bob')).resolves.toMatchObject({ expiresIn: 86400 });
    } finally {
      await client.close();
    }
  });
});
