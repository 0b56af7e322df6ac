// An outside review found: service.createToken was changed to apply the token rule: "NaN and Infinity are invalid_argument,
// not jose's TypeError" (.changeset/sdk-one-publish-rule.md), "zero or less mints an expired token"
// (README test hooks: "`expiresIn <= 0` mints an expired one"). Other non-numbers still reach jose,
// and a positive lifetime under 1 s is floored to an expired token without a word.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConnectUrl } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { upgradeRefusal, openClient, closeAllClients } from './helpers.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterAll(async () => {
  closeAllClients();
  await service.close();
});

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'token',
    (error: Error & { code?: string }) => `${error.constructor.name} ${error.code ?? ''}: ${error.message}`,
  );

describe('service.createToken input checks', () => {
  it.each([['1h'], [{}], ['']])('expiresIn %j is a PulseError invalid_argument, not jose\'s TypeError', async (expiresIn) => {
    const result = await outcome(service.createToken('alice', { expiresIn: expiresIn as never }));
    expect(result).toMatch(/^PulseError invalid_argument: expiresIn/);
  });

  it('expiresIn 0.5 (positive) does not silently mint a token already expired', async () => {
    const result = await outcome(service.createToken('alice', { expiresIn: 0.5 }));
    if (result !== 'token') {
      expect(result).toMatch(/invalid_argument/);
      return;
    }
    const token = await service.createToken('alice', { expiresIn: 0.5 });
    const url = buildConnectUrl(service.wsUrl, { kbId: service.kbId, token });
    const opened = await openClient(url).then(
      () => 'open',
      () => 'refused',
    );
    if (opened === 'refused') {
      const refusal = await upgradeRefusal(url);
      expect(refusal.body.code, 'a positive lifetime minted an expired token').not.toBe('token_expired');
    }
  });
});
