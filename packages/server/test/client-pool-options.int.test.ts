// An outside review found: the server SDK did not check connections and keepAliveTimeoutMs, and
// undici's refusal of them came back as a retried network_error.
// createPulseClient checked timeoutMs, maxResponseBytes and the retry options at once with a typed
// invalid_argument, but not the pool options `connections` and `keepAliveTimeoutMs`. undici
// refused them only when the Agent was built, lazily, on the first request; that
// InvalidArgumentError is not a PulseError, so attempt() reported it as a retryable
// `network_error` ("the network failed", "check the URL and that the service is running"),
// retried it with backoff, and every later call of the client failed the same way. Now the options
// are checked by createPulseClient, and an argument undici refuses (a dispatcher passed in with
// bad pool options) is invalid_argument, not retried.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { Agent } from 'undici';
import { createPulseClient, isPulseError } from '../src/index.js';
import { createTransport } from '../src/transport.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterAll(() => service.close());

for (const options of [{ connections: -1 }, { keepAliveTimeoutMs: -5 }, { connections: 0 }, { connections: 1.5 }, { keepAliveTimeoutMs: Number.NaN }]) {
  it(`refuses ${Object.entries(options).map(([name, value]) => `${name}: ${value}`)} as invalid_argument, not as a retried network_error`, async () => {
    const retries: unknown[] = [];
    let client: ReturnType<typeof createPulseClient> | undefined;
    let error: unknown;
    try {
      client = createPulseClient({
        apiUrl: service.apiUrl,
        kbId: service.kbId,
        apiKey: service.apiKey,
        transport: 'undici',
        retries: 2,
        baseDelayMs: 1,
        onRetry: (info) => retries.push(info.error.code),
        ...options,
      });
      await client.status();
    } catch (caught) {
      error = caught;
    } finally {
      await client?.close().catch(() => undefined);
    }
    expect(isPulseError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('invalid_argument');
    expect(retries).toEqual([]);
  });
}

it('says what to fix, and takes good values', async () => {
  expect(() => createPulseClient({ connections: -1 })).toThrow(/^connections must be a whole number, at least 1 \(got -1\); leave it out for 128\. Fix: /);
  expect(() => createPulseClient({ keepAliveTimeoutMs: -5 })).toThrow(/^keepAliveTimeoutMs must be a positive number\. Fix: /);
  const client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, transport: 'undici', connections: 1, keepAliveTimeoutMs: 1000 });
  await expect(client.status().finally(() => client.close())).resolves.toMatchObject({ enabled: true });
});

it('reports a pool undici refuses as invalid_argument, not as a retried network failure', async () => {
  // undici checks a pool's options when the first request builds it: a dispatcher passed in
  // with bad ones (the client cannot check those), and the transport on its own.
  const retries: unknown[] = [];
  const dispatcher = new Agent({ connections: -1 });
  const client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, dispatcher, retries: 2, baseDelayMs: 1, onRetry: (info) => retries.push(info.error.code) });
  const viaClient = await client.status().then(
    () => undefined,
    (e: unknown) => e,
  );
  await client.close();
  await dispatcher.close();
  expect({ error: viaClient, retries }).toMatchObject({ error: { code: 'invalid_argument', message: expect.stringContaining('undici refused to send (InvalidArgumentError: invalid connections)') }, retries: [] });

  const transport = createTransport({ transport: 'undici', keepAliveTimeoutMs: -5 });
  const viaTransport = await transport.post(service.apiUrl, '{}', new AbortController().signal).then(
    () => undefined,
    (e: unknown) => e,
  );
  await transport.close();
  expect(viaTransport).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('invalid keepAliveTimeout') });
});
