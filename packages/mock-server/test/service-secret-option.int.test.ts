// An outside review found: createPulseService({ secret }) never checks the signing key. An empty
// one (`secret: process.env.PULSE_SECRET ?? ''`, or `new Uint8Array(0)`) or one that is neither a
// string nor bytes starts a service that can mint no token: every createPulseToken is answered
// HTTP 500 server_error "Zero-length key is not supported" (WebCrypto's words; the HTTP API's
// contract is a 4xx with a typed code for every input), and service.createToken rejects with a
// bare DOMException / TypeError. verifyToken refuses the same empty secret with invalid_argument
// "secret must be a non-empty string or Uint8Array". Expected: createPulseService rejects at once
// with invalid_argument naming secret, as it does for every other option.
import { describe, expect, it } from 'vitest';
import { createPulseService } from '../src/index.js';

describe('the secret option', () => {
  it.each([
    ['an empty string', ''],
    ['empty bytes', new Uint8Array(0)],
    ['a number', 123],
  ])('%s is refused by createPulseService with invalid_argument naming it', async (_what, secret) => {
    const started = createPulseService({ secret: secret as string });
    const service = await started.catch(() => undefined);
    await service?.close();
    await expect(started).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('secret') });
  });

  it('a service started with an empty secret never answers createPulseToken with a 5xx', async () => {
    const service = await createPulseService({ secret: '' }).catch(() => undefined);
    if (!service) return; // refused at start: the fix
    try {
      const response = await fetch(service.apiUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'createPulseToken', kbId: service.kbId, apiKey: service.apiKey, userId: 'alice' }),
      });
      expect(response.status).toBeLessThan(500);
    } finally {
      await service.close();
    }
  });
});
