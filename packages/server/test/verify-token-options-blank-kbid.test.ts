// An outside review found: verifyToken's option checks (tokens.ts verifyOptions, added by fa00c97) do not apply
// the SDK's explicit-credential rule (config.ts explicitCredential: an explicit empty or blank kbId
// is invalid_argument) and do not cover a null options object.
import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { verifyToken } from '../src/index.js';

const SECRET = 'review-d-secret-0123456789abcdef0123456789';
const sign = () =>
  new SignJWT({ kbId: 'kb-1', userId: 'alice', endpoint: 'wss://pulse.vpc1.us', region: 'us-east-1' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));

describe('verifyToken options', () => {
  it.each([[''], ['   ']])('an explicit blank kbId (%j, e.g. process.env.OPENKBS_KB_ID empty) is invalid_argument, not kb_mismatch', async (kbId) => {
    const error = await verifyToken(await sign(), SECRET, { kbId }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_argument' });
  });

  it('a null options object is invalid_argument (a PulseError naming it), not a bare TypeError', async () => {
    const error = await verifyToken(await sign(), SECRET, null as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_argument' });
  });
});
