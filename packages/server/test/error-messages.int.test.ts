// What a user of the server SDK reads when a call fails: the public call name (status, not the
// wire action pulseStatus), the URL or kbId involved, the fix and the docs section of the code.
// Against the real local service and a real closed port; only the DNS failure is injected.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { API_ACTIONS, DEFAULT_API_URL, ERROR_FIX, errorDocsUrl, isPulseError, type ErrorCode } from '@openkbs-pulse/protocol';
import { createPulseClient, type PulseClient, type PulseClientOptions } from '../src/client.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterAll(async () => {
  await service?.close();
});

async function failure(call: (client: PulseClient) => Promise<unknown>, options: PulseClientOptions): Promise<Error & { code: ErrorCode }> {
  const client = createPulseClient({ retries: 0, env: () => ({}), ...options });
  try {
    await call(client);
  } catch (error) {
    if (isPulseError(error)) return error;
    throw error;
  } finally {
    await client.close();
  }
  throw new Error('the call succeeded');
}

/** The message ends with the code's fix and its docs section. */
function expectHelp(error: Error & { code: ErrorCode }, code: ErrorCode): void {
  expect(error.code).toBe(code);
  expect(error.message).toContain(`Fix: ${ERROR_FIX[code]}`);
  expect(error.message).toContain(errorDocsUrl(code));
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('server SDK error messages', () => {
  const calls: [string, (client: PulseClient) => Promise<unknown>][] = [
    ['getToken', (c) => c.getToken('alice')],
    ['publish', (c) => c.publish('chat', 'message', { text: 'hi' })],
    ['presence', (c) => c.presence('chat')],
    ['channels', (c) => c.channels()],
    ['status', (c) => c.status()],
    ['enable', (c) => c.enable()],
    ['disable', (c) => c.disable()],
  ];

  it.each(calls)('%s: a wrong kbId with the right key names the call and the kbId, never the wire action', async (name, call) => {
    const error = await failure(call, { apiUrl: service.apiUrl, kbId: 'not-this-kb', apiKey: service.apiKey });
    expectHelp(error, 'invalid_api_key');
    expect(error.message).toMatch(new RegExp(`^${name} failed with HTTP 401 for kbId "not-this-kb"`));
    for (const action of Object.values(API_ACTIONS)) expect(error.message).not.toContain(action);
    expect(error.message).not.toContain(service.apiKey);
  });

  it('a refused connection names the call, the URL and the reason, with the fix', async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}`;
    const error = await failure((c) => c.status(), { apiUrl, kbId: service.kbId, apiKey: service.apiKey });
    expectHelp(error, 'network_error');
    expect(error.message).toMatch(new RegExp(`^status could not reach ${apiUrl.replace(/\./g, '\\.')}: .*ECONNREFUSED`));
    // Not the default URL: no hint about OPENKBS_API_URL being unset.
    expect(error.message).not.toContain('is not set');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('a DNS failure against the default host says which URL was used and that OPENKBS_API_URL points at a local service', async () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND kb.openkbs.com'), { code: 'ENOTFOUND' });
    const error = await failure((c) => c.publish('chat', 'message', { text: 'hi' }), {
      kbId: 'kb',
      apiKey: 'a-key-long-enough',
      transport: 'fetch',
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: dns });
      },
    });
    expectHelp(error, 'network_error');
    expect(error.message).toContain(`publish could not reach ${DEFAULT_API_URL}: fetch failed (getaddrinfo ENOTFOUND kb.openkbs.com)`);
    expect(error.message).toContain('OPENKBS_API_URL is not set: to use a local service, set OPENKBS_API_URL=http://127.0.0.1:<port>');
  });

  it('an argument refused before sending says how to fix it', async () => {
    const error = await failure((c) => c.publish('', 'message', {}), { apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey });
    expectHelp(error, 'invalid_argument');
  });

  it('pulse_not_enabled names the kb and says how to enable it', async () => {
    const options = { apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey };
    const client = createPulseClient({ retries: 0, env: () => ({}), ...options });
    await client.disable();
    await client.close();
    try {
      const error = await failure((c) => c.publish('chat', 'message', { text: 'hi' }), options);
      expectHelp(error, 'pulse_not_enabled');
      expect(error.message).toMatch(new RegExp(`^publish failed with HTTP 403 for kbId "${service.kbId}"`));
    } finally {
      const again = createPulseClient({ retries: 0, env: () => ({}), ...options });
      await again.enable();
      await again.close();
    }
  });
});
