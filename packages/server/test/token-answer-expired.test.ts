// An outside review found: getToken resolves with a token that had already expired when the answer arrived.
// tokenAnswerProblem/createPulseToken (packages/protocol/src/api.ts) refuse an explicit negative
// expiresIn ("a token that expired before it was handed out can never connect"), but when the
// answer omits expiresIn it is derived as Math.max(0, exp - now), so an expired token is clamped to
// expiresIn 0 and accepted; and an explicit expiresIn is never compared with the token's own exp.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpResponse } from 'msw';
import { makeClient, onApi, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.sig`;
const expired = () => jwt({ kbId: 'kb-unit', userId: 'alice', endpoint: 'wss://pulse.vpc1.us', exp: Math.floor(Date.now() / 1000) - 3600 });

describe('token answer whose token expired an hour ago', () => {
  it('explicit negative expiresIn is refused (the rule the merge added)', async () => {
    onApi(() => HttpResponse.json({ token: expired(), endpoint: 'wss://pulse.vpc1.us', expiresIn: -3600 }));
    await expect(makeClient({ retries: 0 }).client.getToken('alice')).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('the same expired token without expiresIn is refused too (not clamped to expiresIn 0)', async () => {
    onApi(() => HttpResponse.json({ token: expired(), endpoint: 'wss://pulse.vpc1.us' }));
    await expect(makeClient({ retries: 0 }).client.getToken('alice')).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('the same expired token with an expiresIn contradicting its exp claim is refused too', async () => {
    onApi(() => HttpResponse.json({ token: expired(), endpoint: 'wss://pulse.vpc1.us', expiresIn: 3600 }));
    await expect(makeClient({ retries: 0 }).client.getToken('alice')).rejects.toMatchObject({ code: 'invalid_response' });
  });
});
