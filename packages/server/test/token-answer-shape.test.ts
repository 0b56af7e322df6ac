// An outside review found: getToken (and status/enable) resolved with a createPulseToken answer
// the browser client then refuses: a `token` that is not a JWT (client: invalid_token "token is not
// a JWT"), an `endpoint` that is not a ws(s):// URL (client: invalid_response "auth answer endpoint
// is not a ws(s):// URL"), a negative `expiresIn`. The backend handed the page something that can
// never connect, and the failure surfaced in the browser, far from the misconfigured apiUrl that
// caused it. The rule now lives in the protocol (tokenAnswerProblem, isEndpoint), which the client
// uses too; such answers are `invalid_response` in the SDK.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isEndpoint, tokenAnswerProblem } from '@openkbs-pulse/protocol';
import { answerWith, KB_ID, makeClient, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const settle = (promise: Promise<unknown>) => promise.then((value) => ({ resolvedWith: value }), (e: unknown) => e);
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJrYklkIjoia2IifQ.sig';
/** A JWT whose endpoint claim is `endpoint`. */
const jwtWithEndpoint = (endpoint: string) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ kbId: KB_ID, endpoint })).toString('base64url')}.sig`;

describe('getToken answers the client would refuse are invalid_response', () => {
  it('an endpoint that is not a ws(s):// URL (the client refuses it)', async () => {
    answerWith({ token: JWT, endpoint: 'https://kb.openkbs.com', region: 'us-east-1', expiresIn: 86400 });
    const result = await settle(makeClient({ retries: 0 }).client.getToken('alice'));
    expect(result).toMatchObject({ code: 'invalid_response', message: expect.stringContaining('endpoint is not a ws(s):// URL') });
  });

  it('a token that is not a JWT (the client refuses it with invalid_token)', async () => {
    answerWith({ token: 'not-a-jwt', endpoint: 'wss://pulse.vpc1.us', region: 'us-east-1', expiresIn: 86400 });
    const result = await settle(makeClient({ retries: 0 }).client.getToken('alice'));
    expect(result).toMatchObject({ code: 'invalid_response', message: expect.stringContaining('token is not a JWT') });
  });

  it("a token whose endpoint claim is not a ws(s):// URL (the client refuses it too)", async () => {
    answerWith({ token: jwtWithEndpoint('javascript:alert(1)'), endpoint: 'wss://pulse.vpc1.us', region: 'us-east-1', expiresIn: 86400 });
    expect(await settle(makeClient({ retries: 0 }).client.getToken('alice'))).toMatchObject({ code: 'invalid_response' });
  });

  it('a negative expiresIn (a token expired before it was minted)', async () => {
    answerWith({ token: JWT, endpoint: 'wss://pulse.vpc1.us', region: 'us-east-1', expiresIn: -5 });
    expect(await settle(makeClient({ retries: 0 }).client.getToken('alice'))).toMatchObject({ code: 'invalid_response' });
  });

  it('status: an endpoint that is not a ws(s):// URL', async () => {
    answerWith({ enabled: true, region: 'us-east-1', endpoint: 'not a url at all', connections: 0, channels: 0 });
    expect(await settle(makeClient({ retries: 0 }).client.status())).toMatchObject({ code: 'invalid_response' });
  });

  it('a well-formed answer still resolves', async () => {
    const answer = { token: jwtWithEndpoint('wss://pulse.vpc1.us'), endpoint: 'ws://127.0.0.1:8080', region: 'us-east-1', expiresIn: 0 };
    answerWith(answer);
    expect(await makeClient({ retries: 0 }).client.getToken('alice')).toEqual(answer);
  });
});

describe('the protocol rule', () => {
  it.each([
    ['wss://pulse.vpc1.us', true],
    ['ws://127.0.0.1:8080/ws', true],
    ['https://kb.openkbs.com', false],
    ['wss://', false],
    ['pulse.vpc1.us', false],
    [42, false],
  ])('isEndpoint(%j) is %s', (endpoint, expected) => {
    expect(isEndpoint(endpoint)).toBe(expected);
  });

  it('tokenAnswerProblem names what is wrong, and nothing for a good answer', () => {
    expect(tokenAnswerProblem(JWT, 'wss://pulse.vpc1.us')).toBeUndefined();
    expect(tokenAnswerProblem('', 'wss://pulse.vpc1.us')).toBe('token must be a string');
    expect(tokenAnswerProblem('a.b.c', 'wss://pulse.vpc1.us')).toBe('token is not a JWT');
    expect(tokenAnswerProblem(JWT, 'https://x')).toBe('endpoint is not a ws(s):// URL');
  });
});
