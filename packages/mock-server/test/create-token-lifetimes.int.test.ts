// An outside review found: service.createToken with an expiresIn of NaN or ±Infinity threw jose's
// TypeError (not a PulseError), and tokenTtlSeconds: 1.5 answered expiresIn 1.5 for a 1 s token.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeTokenClaims } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { api } from './helpers.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService({ tokenTtlSeconds: 1.5 });
});
afterAll(() => service.close());

it.each([Number.NaN, Infinity, -Infinity])('createToken expiresIn %d: a token, or a typed PulseError', async (expiresIn) => {
  let out: unknown;
  try {
    out = await service.createToken('alice', { expiresIn });
  } catch (error) {
    out = error;
  }
  // -Infinity is "zero or less": an expired token (docs); NaN and Infinity are typed mistakes.
  if (expiresIn === -Infinity) expect(decodeTokenClaims(out as string)!.exp! * 1000).toBeLessThan(Date.now());
  else expect(out).toMatchObject({ name: 'PulseError', code: 'invalid_argument' });
});

it('tokenTtlSeconds 1.5: createPulseToken answers the lifetime the token has', async () => {
  const { status, body } = await api<{ token: string; expiresIn: number }>(service, { action: 'createPulseToken', userId: 'alice' });
  expect(status).toBe(200);
  const claims = decodeTokenClaims(body.token)!;
  expect(body.expiresIn).toBe(claims.exp! - claims.iat!);
});
