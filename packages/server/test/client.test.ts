import { HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_ACTIONS, isPulseError, MAX_MESSAGE_BYTES, PulseError } from '@openkbs-pulse/protocol';
import { createPulseClient } from '../src/client.js';
import { PulseApiError } from '../src/errors.js';
import { answerWith, API_KEY, API_URL, KB_ID, makeClient, onApi, PUBLISH_RESPONSE, server, tokenResponseFor } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function rejection(promise: Promise<unknown>): Promise<PulseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPulseError(error)) throw new Error(`expected a PulseError, got ${String(error)}`);
  return error;
}

describe('request bodies', () => {
  it('getToken(kbId, apiKey, userId) posts createPulseToken', async () => {
    const received = onApi((body) => HttpResponse.json(tokenResponseFor(body)));
    const { client } = makeClient({ kbId: undefined, apiKey: undefined });
    const result = await client.getToken('kb-x', 'key-x', 'user-1');
    expect(result).toEqual(tokenResponseFor({ kbId: 'kb-x', userId: 'user-1' }));
    expect(received).toEqual([{ action: API_ACTIONS.createToken, kbId: 'kb-x', apiKey: 'key-x', userId: 'user-1' }]);
  });

  it('getToken(userId) uses the configured credentials; (userId, { expiresIn }) sends expiresIn', async () => {
    const received = onApi((body) => HttpResponse.json(tokenResponseFor(body)));
    const { client } = makeClient();
    await client.getToken('user-1');
    await client.getToken('user-2', { expiresIn: 60 });
    expect(received).toEqual([
      { action: 'createPulseToken', kbId: KB_ID, apiKey: API_KEY, userId: 'user-1' },
      { action: 'createPulseToken', kbId: KB_ID, apiKey: API_KEY, userId: 'user-2', expiresIn: 60 },
    ]);
  });

  it('getToken(undefined, undefined, userId) falls back to the client options (seed with unset env)', async () => {
    const received = onApi((body) => HttpResponse.json(tokenResponseFor(body)));
    const { client } = makeClient();
    await client.getToken(undefined, undefined, 'user-3');
    expect(received[0]).toMatchObject({ kbId: KB_ID, apiKey: API_KEY, userId: 'user-3' });
  });

  it('publish, presence, channels, status, enable, disable send their action and fields', async () => {
    const received = onApi((body) => {
      switch (body.action) {
        case 'pulsePublish':
          return HttpResponse.json(PUBLISH_RESPONSE);
        case 'pulsePresence':
          return HttpResponse.json({ count: 1, members: [{ userId: 'u', connectionId: 'c', connectedAt: 1 }] });
        case 'pulseChannels':
          return HttpResponse.json({ channels: [{ channel: 'chat', subscribers: 2, presence: 1 }] });
        case 'pulseStatus':
          return HttpResponse.json({ enabled: true, region: 'us-east-1', endpoint: 'wss://x', connections: 2, channels: 1 });
        default:
          return HttpResponse.json({ enabled: body.action === 'enableElasticPulse', region: 'eu-central-1', endpoint: 'wss://pulse.vpc1.eu' });
      }
    });
    const { client } = makeClient();
    expect(await client.publish('orders', 'new_order', { id: 7 }, { kbId: 'kb-call', apiKey: 'key-call' })).toEqual(PUBLISH_RESPONSE);
    expect((await client.presence('chat')).count).toBe(1);
    expect((await client.channels()).channels[0]?.channel).toBe('chat');
    expect((await client.status()).connections).toBe(2);
    expect((await client.enable({ region: 'eu-central-1' })).enabled).toBe(true);
    expect((await client.disable()).enabled).toBe(false);
    await client.publish('orders', 'ping');
    const creds = { kbId: KB_ID, apiKey: API_KEY };
    expect(received).toEqual([
      { action: 'pulsePublish', kbId: 'kb-call', apiKey: 'key-call', channel: 'orders', event: 'new_order', data: { id: 7 } },
      { action: 'pulsePresence', ...creds, channel: 'chat' },
      { action: 'pulseChannels', ...creds },
      { action: 'pulseStatus', ...creds },
      { action: 'enableElasticPulse', ...creds, region: 'eu-central-1' },
      { action: 'disableElasticPulse', ...creds },
      { action: 'pulsePublish', ...creds, channel: 'orders', event: 'ping' },
    ]);
  });

  it('sends a JSON POST to apiUrl', async () => {
    let seen: { method: string; type: string | null } | undefined;
    onApi((_body, request) => {
      seen = { method: request.method, type: request.headers.get('content-type') };
      return HttpResponse.json(PUBLISH_RESPONSE);
    });
    const { client } = makeClient();
    await client.publish('a', 'b', {});
    expect(seen).toEqual({ method: 'POST', type: 'application/json' });
  });
});

describe('credentials from the environment', () => {
  it('reads env at call time, not at creation', async () => {
    const received = answerWith(PUBLISH_RESPONSE, 200);
    const env: Record<string, string> = {};
    const client = createPulseClient({ transport: 'fetch', env: () => env });
    env.OPENKBS_KB_ID = 'kb-env';
    env.OPENKBS_API_KEY = 'key-env';
    env.OPENKBS_API_URL = API_URL;
    await client.publish('c', 'e', { n: 1 });
    expect(received[0]).toMatchObject({ kbId: 'kb-env', apiKey: 'key-env' });
  });

  it('explicit options win over env', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    const env = { OPENKBS_KB_ID: 'kb-env', OPENKBS_API_KEY: 'key-env', OPENKBS_API_URL: 'http://wrong.test/' };
    const client = createPulseClient({ transport: 'fetch', env: () => env, apiUrl: API_URL });
    await client.publish('c', 'e', null, { kbId: 'kb-opt', apiKey: 'key-opt' });
    expect(received[0]).toMatchObject({ kbId: 'kb-opt', apiKey: 'key-opt' });
  });

  it('missing credentials name both the option and the env variable; nothing is sent', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    const client = createPulseClient({ transport: 'fetch', env: () => ({}), apiUrl: API_URL });
    const error = await rejection(client.publish('c', 'e', {}));
    expect(error.code).toBe('missing_credentials');
    expect(error.message).toContain('"kbId"');
    expect(error.message).toContain('OPENKBS_KB_ID');
    expect(error.message).toContain('"apiKey"');
    expect(error.message).toContain('OPENKBS_API_KEY');
    const onlyKey = await rejection(client.publish('c', 'e', {}, { kbId: 'kb' }));
    // What is missing names only the apiKey (the fix after it, ERROR_FIX's sentence, names both).
    expect(onlyKey.message.split('. Fix:')[0]).not.toContain('OPENKBS_KB_ID');
    expect(received).toHaveLength(0);
  });

  it('a non-http apiUrl is an invalid_argument', async () => {
    const client = createPulseClient({ transport: 'fetch', env: () => ({}), kbId: 'k', apiKey: 'a', apiUrl: 'ftp://x' });
    expect((await rejection(client.status())).code).toBe('invalid_argument');
  });
});

describe('validation before sending', () => {
  it('rejects bad channel, event, data and userId with invalid_argument', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    const { client } = makeClient();
    for (const promise of [
      client.publish('', 'e', {}),
      client.publish('c', '', {}),
      client.publish('c', 'e\n', {}),
      client.publish('c', 'e', [1, 2] as unknown as object),
      client.publish('c', 'e', { type: 'other' }),
      client.publish('c', 'e', { n: 10n } as object),
      client.presence(''),
      client.getToken(''),
      client.getToken('kb', 'key', undefined as unknown as string),
      client.enable({ region: 'mars-1' as 'us-east-1' }),
    ]) {
      expect((await rejection(promise)).code).toBe('invalid_argument');
    }
    expect(received).toHaveLength(0);
  });

  it('enforces the 32 KB limit on the frame the service will deliver', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    const { client } = makeClient();
    const channel = 'chat';
    const event = 'msg';
    // The frame is {"type":"message","channel":"chat","data":{"text":"...","type":"msg"},"timestamp":1704067200000}
    const overhead = JSON.stringify({ type: 'message', channel, data: { text: '', type: event }, timestamp: 1_704_067_200_000 }).length;
    const fits = 'x'.repeat(MAX_MESSAGE_BYTES - overhead);
    await client.publish(channel, event, { text: fits });
    const error = await rejection(client.publish(channel, event, { text: fits + 'x' }));
    expect(error.code).toBe('message_too_large');
    // Multi-byte characters count in UTF-8 bytes.
    const euro = '€'.repeat(Math.ceil((MAX_MESSAGE_BYTES - overhead) / 3) + 1);
    expect((await rejection(client.publish(channel, event, { text: euro }))).code).toBe('message_too_large');
    expect(received).toHaveLength(1);
  });
});

describe('response validation and error mapping', () => {
  it('a wrong-shaped 200 is invalid_response, not undefined fields', async () => {
    answerWith({ delivered: 'three' });
    const { client } = makeClient();
    const error = await rejection(client.publish('c', 'e', {}));
    expect(error).toBeInstanceOf(PulseApiError);
    expect(error.code).toBe('invalid_response');
  });

  it('a non-JSON 200 is invalid_response', async () => {
    onApi(() => new HttpResponse('<html>hi</html>', { status: 200 }));
    const { client } = makeClient();
    expect((await rejection(client.status())).code).toBe('invalid_response');
  });

  it('a 200 carrying { error, code } is that error', async () => {
    answerWith({ error: 'Pulse is off', code: 'pulse_not_enabled' });
    const { client } = makeClient();
    const error = await rejection(client.publish('c', 'e', {}));
    expect(error.code).toBe('pulse_not_enabled');
  });

  it.each([
    [401, { error: 'bad key', code: 'invalid_api_key' }, 'invalid_api_key'],
    [403, { error: 'off', code: 'pulse_not_enabled' }, 'pulse_not_enabled'],
    [413, { error: 'too big', code: 'message_too_large' }, 'message_too_large'],
    [400, { error: 'bad' }, 'invalid_message'],
    [401, 'Unauthorized', 'invalid_api_key'],
    [403, { error: 'nope' }, 'forbidden'],
    [404, { error: 'no such route' }, 'invalid_response'],
  ] as const)('HTTP %i %j -> %s, not retried', async (status, body, code) => {
    const received = typeof body === 'string' ? onApi(() => new HttpResponse(body, { status })) : answerWith(body, status);
    const { client, delays } = makeClient({ retries: 5 });
    const error = (await rejection(client.publish('c', 'e', {}))) as PulseApiError;
    expect(error).toBeInstanceOf(PulseApiError);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.statusCode).toBe(status);
    expect(error.retryable).toBe(false);
    expect(error.attempts).toBe(1);
    expect(received).toHaveLength(1);
    expect(delays).toEqual([]);
  });
});

describe('retries', () => {
  it('retries 5xx with exponential backoff and jitter, then succeeds', async () => {
    let calls = 0;
    onApi(() => (++calls < 3 ? HttpResponse.json({ error: 'boom' }, { status: 503 }) : HttpResponse.json(PUBLISH_RESPONSE)));
    const { client, delays } = makeClient({ retries: 3, baseDelayMs: 100, random: () => 0.5 });
    expect(await client.publish('c', 'e', {})).toEqual(PUBLISH_RESPONSE);
    expect(calls).toBe(3);
    // equal jitter: step/2 + random * step/2 with step 100, 200
    expect(delays).toEqual([75, 150]);
  });

  it('jitter follows the injected random and is capped by maxDelayMs', async () => {
    answerWith({ error: 'down' }, 500);
    const randoms = [0, 0.999, 0, 0.999];
    const { client, delays } = makeClient({ retries: 4, baseDelayMs: 1000, maxDelayMs: 2000, random: () => randoms.shift() ?? 0 });
    const error = (await rejection(client.status())) as PulseApiError;
    expect(error.code).toBe('server_error');
    expect(error.retryable).toBe(true);
    expect(error.attempts).toBe(5);
    expect(delays).toEqual([500, 1999, 1000, 1999]);
  });

  it('gives up after `retries` retries (bounded attempts)', async () => {
    const received = answerWith({ error: 'down' }, 502);
    const { client, delays } = makeClient({ retries: 2 });
    expect((await rejection(client.presence('c'))).code).toBe('server_error');
    expect(received).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('per-call retries override the client option', async () => {
    const received = answerWith({ error: 'down' }, 500);
    const { client } = makeClient({ retries: 5 });
    await rejection(client.status({ retries: 0 }));
    expect(received).toHaveLength(1);
  });

  it('retries network errors', async () => {
    let calls = 0;
    onApi(() => (++calls === 1 ? HttpResponse.error() : HttpResponse.json(PUBLISH_RESPONSE)));
    const retries: string[] = [];
    const { client } = makeClient({ onRetry: (info) => retries.push(`${info.action}#${info.retry}:${info.error.code}`) });
    expect(await client.publish('c', 'e', {})).toEqual(PUBLISH_RESPONSE);
    expect(retries).toEqual(['pulsePublish#1:network_error']);
  });

  it('network_error when every attempt fails', async () => {
    onApi(() => HttpResponse.error());
    const { client } = makeClient({ retries: 1 });
    const error = (await rejection(client.status())) as PulseApiError;
    expect(error.code).toBe('network_error');
    expect(error.status).toBeUndefined();
    expect(error.attempts).toBe(2);
  });

  it('honours Retry-After in seconds on 429', async () => {
    let calls = 0;
    onApi(() =>
      ++calls === 1
        ? HttpResponse.json({ error: 'slow down', code: 'rate_limited' }, { status: 429, headers: { 'Retry-After': '3' } })
        : HttpResponse.json(PUBLISH_RESPONSE),
    );
    const { client, delays } = makeClient();
    await client.publish('c', 'e', {});
    expect(delays).toEqual([3000]);
  });

  it('honours Retry-After as an HTTP date, measured on the injected clock', async () => {
    const now = Date.UTC(2024, 0, 1, 12, 0, 0);
    let calls = 0;
    onApi(() =>
      ++calls === 1
        ? HttpResponse.json({ error: 'busy' }, { status: 429, headers: { 'Retry-After': new Date(now + 7000).toUTCString() } })
        : HttpResponse.json(PUBLISH_RESPONSE),
    );
    const clock = { now: () => now, setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout } as const;
    const { client, delays } = makeClient({ clock: { ...clock, clearTimeout: (h) => globalThis.clearTimeout(h as number) } });
    await client.publish('c', 'e', {});
    expect(delays).toEqual([7000]);
  });

  it('a Retry-After longer than maxRetryAfterMs fails at once with rate_limited', async () => {
    const received = answerWith({ error: 'later' }, 429, { 'Retry-After': '120' });
    const { client, delays } = makeClient({ maxRetryAfterMs: 10_000 });
    const error = (await rejection(client.publish('c', 'e', {}))) as PulseApiError;
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(120_000);
    expect(received).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('uses the clock for backoff when no sleep is injected', async () => {
    const { createFakeClock } = await import('@openkbs-pulse/mock-server');
    const clock = createFakeClock();
    let calls = 0;
    let firstFailed!: () => void;
    const failed = new Promise<void>((resolve) => (firstFailed = resolve));
    onApi(() => (++calls === 1 ? HttpResponse.json({ error: 'x' }, { status: 500 }) : HttpResponse.json(PUBLISH_RESPONSE)));
    const client = createPulseClient({
      transport: 'fetch',
      apiUrl: API_URL,
      kbId: KB_ID,
      apiKey: API_KEY,
      env: () => ({}),
      clock,
      random: () => 0,
      baseDelayMs: 1000,
      onRetry: () => firstFailed(),
    });
    const done = client.publish('c', 'e', {});
    await failed;
    await Promise.resolve();
    expect(calls).toBe(1);
    clock.advance(499);
    expect(calls).toBe(1);
    clock.advance(1);
    expect(await done).toEqual(PUBLISH_RESPONSE);
    expect(calls).toBe(2);
  });
});

describe('timeouts and cancellation', () => {
  it('aborts an attempt after timeoutMs on the injected clock and retries it', async () => {
    const { createFakeClock } = await import('@openkbs-pulse/mock-server');
    const clock = createFakeClock();
    let calls = 0;
    let arrived!: () => void;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    onApi(async (_body, request) => {
      if (++calls === 1) {
        arrived();
        await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
        return HttpResponse.json(PUBLISH_RESPONSE);
      }
      return HttpResponse.json(PUBLISH_RESPONSE);
    });
    const { client, delays } = makeClient({ clock, timeoutMs: 2000, retries: 1 });
    const done = client.publish('c', 'e', {});
    await firstArrived;
    clock.advance(2000);
    expect(await done).toEqual(PUBLISH_RESPONSE);
    expect(calls).toBe(2);
    expect(delays).toHaveLength(1);
  });

  it('timeout error when retries are exhausted', async () => {
    const { createFakeClock } = await import('@openkbs-pulse/mock-server');
    const clock = createFakeClock();
    let arrived!: () => void;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    onApi(async (_body, request) => {
      arrived();
      await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
      return HttpResponse.json(PUBLISH_RESPONSE);
    });
    const { client } = makeClient({ clock, retries: 0 });
    const done = rejection(client.status());
    await firstArrived;
    clock.advance(4999);
    clock.advance(1); // default 5 s
    const error = (await done) as PulseApiError;
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('5000 ms');
  });

  it('the caller signal aborts without retrying', async () => {
    let arrived!: () => void;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    const received = onApi(async (_body, request) => {
      arrived();
      await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
      return HttpResponse.json(PUBLISH_RESPONSE);
    });
    const { client, delays } = makeClient({ retries: 3 });
    const controller = new AbortController();
    const done = rejection(client.status({ signal: controller.signal }));
    await firstArrived;
    controller.abort();
    const error = (await done) as PulseApiError;
    expect(error.code).toBe('aborted');
    expect(error.retryable).toBe(false);
    expect(error.attempts).toBe(1);
    expect(received).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('an abort during the backoff wait is aborted too, with the failure being retried as its cause', async () => {
    answerWith({ error: 'busy' }, 503);
    const controller = new AbortController();
    const client = createPulseClient({
      transport: 'fetch',
      apiUrl: API_URL,
      kbId: KB_ID,
      apiKey: API_KEY,
      env: () => ({}),
      retries: 3,
      sleep: async () => {
        controller.abort();
        throw new Error('sleep interrupted');
      },
    });
    const error = (await rejection(client.status({ signal: controller.signal }))) as PulseApiError;
    expect(error).toMatchObject({ code: 'aborted', retryable: false, attempts: 1 });
    expect((error.cause as PulseApiError).code).toBe('server_error');
  });

  it('a signal aborted before the call sends nothing', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    const { client } = makeClient();
    const error = (await rejection(client.publish('c', 'e', {}, { signal: AbortSignal.abort() }))) as PulseApiError;
    expect(error).toMatchObject({ code: 'aborted', attempts: 0 });
    expect(received).toEqual([]);
  });
});

describe('secrets', () => {
  it('the apiKey never appears in errors, causes or stacks', async () => {
    const { everyRendering } = await import('./helpers.js');
    const scenarios: Array<() => void> = [
      () => answerWith({ error: `invalid api key ${API_KEY}`, code: 'invalid_api_key' }, 401),
      () => onApi(() => new HttpResponse(`upstream said: ${API_KEY}`, { status: 502 })),
      () => answerWith({ weird: API_KEY }),
      () => onApi(() => HttpResponse.error()),
      () => answerWith({ error: `slow ${API_KEY}` }, 429, { 'Retry-After': '999' }),
    ];
    for (const install of scenarios) {
      server.resetHandlers();
      install();
      const { client } = makeClient({ retries: 1 });
      const error = await rejection(client.publish('c', 'e', {}));
      const text = await everyRendering(error);
      expect(text).not.toContain(API_KEY);
      expect(text.length).toBeGreaterThan(0);
    }
  });

  it('the apiKey is redacted in its URL-encoded and JSON-escaped spellings too (messages and causes)', async () => {
    const { everyRendering } = await import('./helpers.js');
    const key = 'sk_live_SECRET+/=key "quoted" \\ tab\t';
    const spellings = [key, encodeURIComponent(key), encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()), JSON.stringify(key).slice(1, -1), encodeURIComponent(key).replace(/%20/g, '+')];
    const scenarios: Array<() => void> = [
      () => onApi(() => new HttpResponse(`bad request for /?apiKey=${spellings[1]}`, { status: 400 })),
      () => onApi(() => new HttpResponse(`bad body {"apiKey":"${spellings[3]}"}`, { status: 502 })),
      () => onApi(() => new HttpResponse(`lower ${spellings[2]} form ${spellings[4]}`, { status: 400 })),
      () => answerWith({ error: `echo ${spellings[1]} and ${spellings[3]}`, code: 'invalid_api_key' }, 401),
    ];
    for (const install of scenarios) {
      server.resetHandlers();
      install();
      const { client } = makeClient({ retries: 0, apiKey: key });
      const text = await everyRendering(await rejection(client.publish('c', 'e', {})));
      for (const spelling of spellings) expect(text).not.toContain(spelling);
      expect(text).toContain('***');
    }
    // A network error whose message and cause carry the encoded key.
    const failing = createPulseClient({
      transport: 'fetch',
      apiUrl: API_URL,
      kbId: KB_ID,
      apiKey: key,
      env: () => ({}),
      retries: 0,
      fetch: async () => {
        throw new TypeError(`fetch failed for ${spellings[1]}`, { cause: new Error(`socket said ${spellings[3]}`) });
      },
    });
    const error = await rejection(failing.status());
    expect(error.code).toBe('network_error');
    const text = await everyRendering(error);
    for (const spelling of spellings) expect(text).not.toContain(spelling);
    expect(String((error.cause as Error).cause)).toContain('***');
  });

  it('a long error body is redacted before it is shortened (no key prefix is left at the cut)', async () => {
    const { everyRendering } = await import('./helpers.js');
    onApi(() => new HttpResponse(`${'x'.repeat(190)}${API_KEY}`, { status: 400 }));
    const { client } = makeClient({ retries: 0 });
    const text = await everyRendering(await rejection(client.status()));
    expect(text).not.toContain(API_KEY.slice(0, 10));
  });

  it('missing-credential errors do not echo the kbId/apiKey that were given', async () => {
    const { everyRendering } = await import('./helpers.js');
    const client = createPulseClient({ transport: 'fetch', env: () => ({}), apiUrl: API_URL, apiKey: API_KEY });
    const error = await rejection(client.status());
    expect(await everyRendering(error)).not.toContain(API_KEY);
  });
});

describe('publishBatch', () => {
  it('publishes every item with bounded concurrency and returns settled results in order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const received = onApi(async (body) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      if ((body.data as { n: number }).n === 3) return HttpResponse.json({ error: 'nope', code: 'forbidden' }, { status: 403 });
      return HttpResponse.json({ delivered: (body.data as { n: number }).n, timestamp: 1 });
    });
    const { client } = makeClient();
    const items = Array.from({ length: 12 }, (_, n) => ({ channel: 'c', event: 'e', data: { n } }));
    items.push({ channel: '', event: 'e', data: { n: 99 } });
    const results = await client.publishBatch(items, { concurrency: 3 });
    expect(results).toHaveLength(13);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(received).toHaveLength(12);
    results.forEach((result, i) => {
      expect(result.item).toBe(items[i]);
      if (i === 3) expect(result.ok ? undefined : (result.error as PulseError).code).toBe('forbidden');
      else if (i === 12) expect(result.ok ? undefined : (result.error as PulseError).code).toBe('invalid_argument');
      else expect(result.ok ? result.value.delivered : -1).toBe(i);
    });
  });

  it('a failure that is not a PulseError is passed through as is, not labelled invalid_argument', async () => {
    answerWith({ error: 'busy' }, 503);
    const hookFailure = new RangeError('metrics hook broke');
    const { client } = makeClient({
      retries: 1,
      onRetry: () => {
        throw hookFailure;
      },
    });
    const [result] = await client.publishBatch([{ channel: 'c', event: 'e', data: { n: 1 } }]);
    expect(result?.ok).toBe(false);
    const error = result?.ok === false ? result.error : undefined;
    expect(error).toBe(hookFailure);
    expect(isPulseError(error)).toBe(false);
  });

  it('validates its options', async () => {
    const { client } = makeClient();
    expect((await rejection(client.publishBatch([], { concurrency: 0 }))).code).toBe('invalid_argument');
    expect(await client.publishBatch([])).toEqual([]);
  });
});

describe('close', () => {
  it('calls after close fail with disconnected', async () => {
    answerWith(PUBLISH_RESPONSE);
    const { client } = makeClient({ transport: 'auto', fetch: undefined });
    expect(client.transport).toBe('pending');
    await client.close();
    expect((await rejection(client.status())).code).toBe('disconnected');
  });

  it('on the fetch transport too: nothing is sent after close()', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    const { client } = makeClient();
    expect(client.transport).toBe('fetch');
    await client.publish('c', 'e', {});
    await client.close();
    expect((await rejection(client.publish('c', 'e', {}))).code).toBe('disconnected');
    expect((await rejection(client.status())).code).toBe('disconnected');
    expect(received).toHaveLength(1);
  });
});
