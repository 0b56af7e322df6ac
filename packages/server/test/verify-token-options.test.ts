// An outside review found: verifyToken() did not check its options. An invalid
// clockToleranceSeconds (negative, NaN, a string such as "30" read from an env var) or a clock whose
// now() is not a number made jose throw a TypeError about the option, which tokens.ts
// verifySignedToken() caught and reported as `invalid_token: token signature or claims are invalid`
// for a perfectly valid token, sending the caller to check the secret and the token. Such options
// are now `invalid_argument` naming the option.
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../src/tokens.js';

const SECRET = 'a-signing-secret-of-the-local-service';

async function validToken(): Promise<string> {
  return new SignJWT({ kbId: 'kb', userId: 'alice', endpoint: 'wss://pulse.vpc1.us', region: 'us-east-1' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
}

const settle = (promise: Promise<unknown>) => promise.then((value) => ({ resolvedWith: value }), (e: unknown) => e);

describe('verifyToken with invalid options', () => {
  it('the token is valid with sane options', async () => {
    expect(await verifyToken(await validToken(), SECRET, { clockToleranceSeconds: 5 })).toMatchObject({ userId: 'alice' });
  });

  it.each([
    ['clockToleranceSeconds: -1', { clockToleranceSeconds: -1 }],
    ['clockToleranceSeconds: NaN', { clockToleranceSeconds: Number.NaN }],
    ['clockToleranceSeconds: "30" (from an env var)', { clockToleranceSeconds: '30' as unknown as number }],
    ['clock.now() returning NaN', { clock: { now: () => Number.NaN } }],
  ])('%s: invalid_argument naming the option, not invalid_token for a valid token', async (what, options) => {
    const result = await settle(verifyToken(await validToken(), SECRET, options));
    const option = what.startsWith('clock.') ? 'clock.now()' : 'clockToleranceSeconds';
    expect(result).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining(option) });
  });

  it('a clock at a valid time is used (an expired token by that clock is token_expired)', async () => {
    const inTwoHours = { now: () => Date.now() + 2 * 3600_000 };
    expect(await settle(verifyToken(await validToken(), SECRET, { clock: inTwoHours }))).toMatchObject({ code: 'token_expired' });
  });
});
