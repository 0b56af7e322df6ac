// An outside review found: token minting inputs, through the SDK and the raw HTTP API of the local service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { decodeTokenClaims } from '@openkbs-pulse/protocol';
import { createPulseClient, type PulseClient } from '../src/client.js';
import { connectOutcome } from './ws-peer.js';

let service: PulseService;
let client: PulseClient;

beforeAll(async () => {
  service = await createPulseService();
  client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, env: () => ({}), retries: 0 });
});
afterAll(async () => {
  await client.close();
  await service.close();
});

const tryConnect = (endpoint: string, token: string): Promise<string> => connectOutcome(endpoint, service.kbId, token);

describe('getToken expiresIn', () => {
  // Lifetimes are whole seconds: 0.5 was floored to 0 and minted a token expired at birth.
  it.each([0.5, 0, -1, Number.NaN, 366 * 24 * 3600])('expiresIn %d is refused with invalid_argument before sending, and by the service with 400', async (expiresIn) => {
    await expect(client.getToken('alice', { expiresIn })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/expiresIn must be a number of seconds from 1/) });
    const response = await fetch(new URL('/', service.apiUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'createPulseToken', kbId: service.kbId, apiKey: service.apiKey, userId: 'alice', expiresIn }),
    });
    expect(response.status).toBe(400);
  });

  it('expiresIn 1.5 mints a token that lives a whole second', async () => {
    const result = await client.getToken('alice', { expiresIn: 1.5 });
    const claims = decodeTokenClaims(result.token)!;
    expect({ expiresIn: result.expiresIn, lifetime: claims.exp! - claims.iat! }).toEqual({ expiresIn: 1, lifetime: 1 });
  });
});

describe('getToken userId', () => {
  it('a token getToken mints can be used to connect (or getToken refuses the userId with invalid_argument)', async () => {
    const userId = `user-${'x'.repeat(8000)}`; // e.g. an email list or a JSON blob passed by mistake; no documented limit
    let minted: { token: string; endpoint: string } | undefined;
    let refused: string | undefined;
    try {
      minted = await client.getToken(userId);
    } catch (error) {
      refused = (error as { code: string }).code;
    }
    if (refused !== undefined) {
      expect(refused).toBe('invalid_argument');
      return;
    }
    // actual: minted (HTTP 200), then every connection with it is refused: HTTP 431 "request headers are too large"
    expect(await tryConnect(minted!.endpoint, minted!.token)).toBe('open');
  });
});
