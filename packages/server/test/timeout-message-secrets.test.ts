// An outside review found: a timeout error printed apiUrl unredacted, so an API key in its query
// string (a gateway that authenticates with it) showed in the message, the stack, inspect output and
// the CLI's stderr, while network_error, invalid_response and redirect errors removed it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, everyRendering, makeClient, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// An API gateway in front of the API that authenticates with the same key in the query string.
const URL_WITH_KEY = `http://pulse.test/?key=${API_KEY}`;
const neverAnswers = (_url: string, init: RequestInit) =>
  new Promise<Response>((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));

describe('the API key never appears in an error naming apiUrl', () => {
  it('network_error: the key in apiUrl is removed', async () => {
    const { client } = makeClient({ apiUrl: URL_WITH_KEY, retries: 0, fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    const error = await client.status().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network_error' });
    expect(await everyRendering(error)).not.toContain(API_KEY);
  });

  it('timeout: the key in apiUrl is removed from message, stack and inspect output', async () => {
    const { client } = makeClient({ apiUrl: URL_WITH_KEY, retries: 0, timeoutMs: 50, fetch: neverAnswers });
    const error = await client.status().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(await everyRendering(error)).not.toContain(API_KEY);
  });
});
