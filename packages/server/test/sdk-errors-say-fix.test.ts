// An outside review found: every rejection promises a typed PulseError whose message says how to
// fix it and links its docs section (errorMessage(code, ...) -> "... Fix: <ERROR_FIX[code]> See
// <docs>#code", as error-messages.int.test.ts checks for service answers), but several SDK errors
// were built with a bare `new PulseError(code, text)` and carried neither: missing_credentials (the
// first error every new user meets), an apiUrl that is not http(s), a redirect answer and an answer
// over maxResponseBytes (which also named the wire action, `pulseStatus answered ...`), and
// verifyToken's errors. Every server SDK error is built with errorMessage now.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpResponse } from 'msw';
import { ERROR_FIX, errorDocsUrl, type ErrorCode } from '@openkbs-pulse/protocol';
import { makeClient, onApi, PUBLISH_RESPONSE, server } from './helpers.js';
import { verifyToken } from '../src/tokens.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function rejection(promise: Promise<unknown>): Promise<Error & { code: ErrorCode }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code: ErrorCode };
  }
  throw new Error('resolved');
}

function expectHelp(error: Error & { code: ErrorCode }, code: ErrorCode): void {
  expect(error.code).toBe(code);
  expect(error.message).toContain(`Fix: ${ERROR_FIX[code]}`);
  expect(error.message).toContain(errorDocsUrl(code));
}

describe('SDK errors say how to fix them', () => {
  it('missing_credentials', async () => {
    const { client } = makeClient({ kbId: undefined, apiKey: undefined, env: () => ({}) });
    expectHelp(await rejection(client.publish('chat', 'message')), 'missing_credentials');
  });

  it('an apiUrl that is not http(s)', async () => {
    const { client } = makeClient({ apiUrl: 'ftp://example.com' });
    expectHelp(await rejection(client.status()), 'invalid_argument');
  });

  it('a redirect answer, named by the call, not the wire action', async () => {
    onApi(() => new HttpResponse(null, { status: 307, headers: { location: 'http://elsewhere.test/' } }));
    const { client } = makeClient({ retries: 0 });
    const error = await rejection(client.status());
    expectHelp(error, 'invalid_response');
    expect(error.message).not.toContain('pulseStatus');
  });

  it('an answer over maxResponseBytes, named by the call, not the wire action', async () => {
    onApi(() => HttpResponse.json({ enabled: true, pad: 'x'.repeat(5000) }));
    const { client } = makeClient({ retries: 0, maxResponseBytes: 1000 });
    const error = await rejection(client.status());
    expectHelp(error, 'invalid_response');
    expect(error.message).not.toContain('pulseStatus');
  });

  it('a bad retries option', async () => {
    onApi(() => HttpResponse.json(PUBLISH_RESPONSE));
    const { client } = makeClient();
    expectHelp(await rejection(client.publish('chat', 'message', {}, { retries: -1 })), 'invalid_argument');
  });

  it('a call after close()', async () => {
    const { client } = makeClient();
    await client.close();
    expectHelp(await rejection(client.status()), 'disconnected');
  });

  it('verifyToken of a token signed with another secret', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ kbId: 'kb', userId: 'a', endpoint: 'wss://x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('one-secret'));
    expectHelp(await rejection(verifyToken(token, 'another-secret')), 'invalid_token');
  });
});
