// An outside review found: a server-SDK promise the caller ignored (a fire-and-forget publish from a
// request handler) was an unhandled rejection when the call failed, which ends a Node process by
// default (--unhandled-rejections=throw); the client package attaches a handler to every promise it
// returns, the server SDK did not. Failures are now reported through onError, or logged in one line
// when nobody handled them.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isPulseError } from '@openkbs-pulse/protocol';
import { API_KEY, answerWith, makeClient, server } from './helpers.js';
import * as pulse from '../src/index.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

const refused = () => answerWith({ error: 'invalid kbId or apiKey', code: 'invalid_api_key' }, 401);
const macrotasks = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fire` with this test's own unhandledRejection listener in place of vitest's; returns what it caught. */
async function unhandledDuring(fire: () => void): Promise<unknown[]> {
  const saved = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  const caught: unknown[] = [];
  process.on('unhandledRejection', (reason) => void caught.push(reason));
  try {
    fire();
    await macrotasks(200);
  } finally {
    process.removeAllListeners('unhandledRejection');
    for (const listener of saved) process.on('unhandledRejection', listener);
  }
  return caught;
}

/** console.error, silenced and recorded. */
const consoleErrors = () => vi.spyOn(console, 'error').mockImplementation(() => undefined);

describe('an ignored promise never crashes the process', () => {
  it('client.publish(...) ignored, refused by the service (401): no unhandled rejection', async () => {
    refused();
    consoleErrors();
    const { client } = makeClient({ retries: 0 });
    const caught = await unhandledDuring(() => void client.publish('orders', 'new_order', { id: 1 }));
    expect(caught).toEqual([]);
  });

  it('pulse.publish(...) ignored, refused before sending (invalid channel): no unhandled rejection', async () => {
    consoleErrors();
    const caught = await unhandledDuring(() => {
      void pulse.publish('', 'new_order', { id: 1 }, { kbId: 'kb', apiKey: 'sk-some-long-key', apiUrl: 'http://pulse.test/' });
    });
    expect(caught).toEqual([]);
  });

  it('verifyToken and every client call, ignored and failing: no unhandled rejection', async () => {
    refused();
    consoleErrors();
    const { client } = makeClient({ retries: 0 });
    const caught = await unhandledDuring(() => {
      void pulse.verifyToken('not-a-token', 'secret');
      void client.getToken('alice');
      void client.presence('chat');
      void client.channels();
      void client.status();
      void client.enable();
      void client.disable();
      void client.publishBatch('not an array' as never);
    });
    expect(caught).toEqual([]);
  });
});

describe('failures are reported', () => {
  it('without onError, an unhandled failure is one console.error line naming the call and code, without the API key', async () => {
    refused();
    const logged = consoleErrors();
    const { client } = makeClient({ retries: 0 });
    void client.publish('orders', 'new_order', { id: 1 });
    await macrotasks();
    expect(logged).toHaveBeenCalledTimes(1);
    const line = String(logged.mock.calls[0]?.[0]);
    expect(line).toMatch(/publish failed and its promise was not handled.*\[invalid_api_key\]$/);
    expect(line).not.toContain('\n');
    expect(line).not.toContain(API_KEY);
  });

  it('without onError, a failure the caller handles (await, catch, then, Promise.all) is not logged', async () => {
    refused();
    const logged = consoleErrors();
    const { client } = makeClient({ retries: 0 });
    await client.status().catch(() => undefined);
    await expect(client.status()).rejects.toMatchObject({ code: 'invalid_api_key' });
    try {
      await client.channels();
    } catch {
      // handled
    }
    await client.status().then(undefined, () => undefined);
    await Promise.allSettled([client.status()]);
    const later = client.status();
    await Promise.resolve();
    await later.catch(() => undefined);
    await macrotasks();
    expect(logged).not.toHaveBeenCalled();
  });

  it('onError receives every failure with the call name, handled or not; the promise still rejects; nothing is logged', async () => {
    refused();
    const logged = consoleErrors();
    const onError = vi.fn();
    const { client } = makeClient({ retries: 0, onError });
    void client.publish('orders', 'new_order');
    const handled = await client.presence('chat').catch((e: unknown) => e);
    await client.publish('', 'e').catch(() => undefined);
    await macrotasks();
    const reports = onError.mock.calls.map(([error, call]) => `${String(call)} ${(error as { code: string }).code}`);
    expect(reports.sort()).toEqual(['presence invalid_api_key', 'publish invalid_api_key', 'publish invalid_argument']);
    expect(onError.mock.calls.every(([error]) => isPulseError(error))).toBe(true);
    expect(handled).toBe(onError.mock.calls.find(([, call]) => call === 'presence')?.[0]);
    expect(logged).not.toHaveBeenCalled();
  });

  it('an onError that throws is logged in one line, not an unhandled rejection', async () => {
    refused();
    const logged = consoleErrors();
    const { client } = makeClient({ retries: 0, onError: () => { throw new Error('hook broke'); } });
    const caught = await unhandledDuring(() => void client.status());
    expect(caught).toEqual([]);
    expect(logged.mock.calls.map(([line]) => String(line))).toEqual([expect.stringContaining('onError threw: hook broke')]);
  });

  it('a successful call is not reported', async () => {
    answerWith({ enabled: true, region: 'us-east-1', endpoint: 'wss://pulse.vpc1.us', connections: 0, channels: 0 });
    const logged = consoleErrors();
    const onError = vi.fn();
    const { client } = makeClient({ retries: 0, onError });
    void client.status();
    await macrotasks();
    expect(onError).not.toHaveBeenCalled();
    expect(logged).not.toHaveBeenCalled();
  });
});
