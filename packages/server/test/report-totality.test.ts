// An outside review found: the handler the SDK attaches to every returned promise could throw (String() of
// a thrown value without a string form, in asError and in the onError-threw report), and its own promise then
// became an unhandled rejection, which ends a Node process, although the caller handled the call.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerWith, makeClient, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

async function unhandledDuring(fire: () => Promise<void>): Promise<unknown[]> {
  const saved = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  const caught: unknown[] = [];
  process.on('unhandledRejection', (reason) => void caught.push(reason));
  try {
    await fire();
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    process.removeAllListeners('unhandledRejection');
    for (const listener of saved) process.on('unhandledRejection', listener);
  }
  return caught;
}

describe('the SDK handler of a returned promise never throws', () => {
  it('an onRetry hook throwing a null-prototype object: the caller awaits and catches it, and no unhandled rejection follows', async () => {
    answerWith({ error: 'busy', code: 'server_error' }, 503);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const odd = Object.create(null) as object;
    const { client } = makeClient({
      retries: 1,
      onRetry: () => {
        throw odd;
      },
    });
    let got: unknown;
    const caught = await unhandledDuring(async () => {
      try {
        await client.status();
      } catch (error) {
        got = error;
      }
    });
    // The caller handled the failure...
    expect(got).toBeDefined();
    // ...and the SDK's own handler must not turn it into an unhandled rejection.
    expect(caught.map((e) => String((e as Error)?.message ?? e))).toEqual([]);
  });

  it('an onError hook throwing an object whose toString throws: no unhandled rejection', async () => {
    answerWith({ error: 'invalid kbId or apiKey', code: 'invalid_api_key' }, 401);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { client } = makeClient({
      retries: 0,
      onError: () => {
        // eslint-disable-next-line no-throw-literal -- a thrown value without a string form is the point
        throw { toString: () => { throw new Error('no string form'); } };
      },
    });
    const caught = await unhandledDuring(async () => {
      await client.status().catch(() => undefined);
    });
    expect(caught.map((e) => String((e as Error)?.message ?? e))).toEqual([]);
  });

  // The same in the one-line log of a failure nobody handled (a timer: a throw there would be an uncaught exception).
  it('an ignored call whose hook threw an Error with a throwing message getter: the one-line log is skipped, nothing is thrown', async () => {
    answerWith({ error: 'busy', code: 'server_error' }, 503);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const odd = new Error('x');
    Object.defineProperty(odd, 'message', {
      get() {
        throw new Error('no message');
      },
    });
    const { client } = makeClient({
      retries: 1,
      onRetry: () => {
        throw odd;
      },
    });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => void uncaught.push(error);
    const saved = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      const caught = await unhandledDuring(async () => {
        void client.status();
      });
      expect(caught).toEqual([]);
    } finally {
      process.removeAllListeners('uncaughtException');
      for (const listener of saved) process.on('uncaughtException', listener);
    }
    expect(uncaught).toEqual([]);
    expect(logged).not.toHaveBeenCalled();
  });
});
