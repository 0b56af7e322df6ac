// getToken hands the browser a token only if it is the one asked for. Before, an answer whose token
// named another kb resolved, and the browser then failed with kb_mismatch far from the cause; one
// whose token named another user resolved too, so the page acted as someone else.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpResponse } from 'msw';
import { KB_ID, makeClient, onApi, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.sig`;
const answer = (claims: object) => ({ token: jwt(claims), endpoint: 'wss://pulse.vpc1.us', expiresIn: 3600 });

describe('getToken checks the claims of the token it was given', () => {
  it('resolves with a token for the kb and user asked for', async () => {
    onApi(() => HttpResponse.json(answer({ kbId: KB_ID, userId: 'alice' })));
    await expect(makeClient({ retries: 0 }).client.getToken('alice')).resolves.toMatchObject({ expiresIn: 3600 });
  });

  it('resolves with a token that has neither claim (the hosted API documents no claims)', async () => {
    onApi(() => HttpResponse.json(answer({})));
    await expect(makeClient({ retries: 0 }).client.getToken('alice')).resolves.toMatchObject({ expiresIn: 3600 });
  });

  it('refuses a token for another kb, naming both', async () => {
    onApi(() => HttpResponse.json(answer({ kbId: 'kb-other', userId: 'alice' })));
    const error = await makeClient({ retries: 0 }).client.getToken('alice').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_response', retryable: false });
    expect((error as Error).message).toContain('"kb-other"');
    expect((error as Error).message).toContain(`"${KB_ID}"`);
  });

  it('refuses a token for another user, naming both', async () => {
    onApi(() => HttpResponse.json(answer({ kbId: KB_ID, userId: 'mallory' })));
    const error = await makeClient({ retries: 0 }).client.getToken('alice').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_response', retryable: false });
    expect((error as Error).message).toContain('"mallory"');
    expect((error as Error).message).toContain('"alice"');
  });

  it('checks against the kb of the call, positional credentials included', async () => {
    onApi(() => HttpResponse.json(answer({ kbId: KB_ID, userId: 'alice' })));
    await expect(makeClient({ retries: 0 }).client.getToken('kb-positional', 'key-positional', 'alice')).rejects.toMatchObject({ code: 'invalid_response' });
  });
});
