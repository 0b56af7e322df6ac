// An outside review found: tokens lived up to a second less than the answer's expiresIn. The
// service minted exp = floor(now / 1000) + expiresIn, losing the fraction of the current second,
// so a token answered with expiresIn: 1 at hh:mm:ss.999 was expired a millisecond later (401
// token_expired on connect), at random with the system clock. Now its lifetime runs from now,
// rounded up to a whole second: valid for at least expiresIn seconds from the minting.
import { afterEach, expect, it } from 'vitest';
import { buildConnectUrl, decodeTokenClaims } from '@openkbs-pulse/protocol';
import { createFakeClock, createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, openClient, upgradeRefusal } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

it('a token answered with expiresIn: 1 still connects 1 ms after it was minted', async () => {
  // 999 ms into a second: the moment of minting loses 999 ms of the token's lifetime.
  const clock = createFakeClock(Date.UTC(2024, 0, 1) + 999);
  service = await createPulseService({ clock });
  const { status, body } = await api<{ token: string; expiresIn: number }>(service, { action: 'createPulseToken', userId: 'alice', expiresIn: 1 });
  expect(status).toBe(200);
  expect(body.expiresIn).toBe(1);
  const mintedAt = clock.now();

  clock.advance(1);
  const url = buildConnectUrl(service.wsUrl, { kbId: service.kbId, token: body.token });
  const outcome = await openClient(url).then(
    () => 'connected',
    async () => JSON.stringify(await upgradeRefusal(url)),
  );
  expect(outcome).toBe('connected');
  // What the answer promises: valid until mintedAt + 1000 ms.
  expect(decodeTokenClaims(body.token)!.exp! * 1000).toBeGreaterThanOrEqual(mintedAt + body.expiresIn * 1000);
});
