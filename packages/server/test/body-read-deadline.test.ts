// An outside review found: timeoutMs and the caller's AbortSignal did not bound the body read when
// the fetch in use does not error its body stream on abort (msw, which these tests use to intercept
// fetch, a fetch ponyfill, a test double): status() with timeoutMs 100 was still pending after 2 s,
// and aborting the caller's signal did not end it either.
import { Readable } from 'node:stream';
import { HttpResponse } from 'msw';
import type { Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { onApi, makeClient, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Headers and the first bytes of a JSON body arrive, then nothing more, ever; records a cancel. */
function stalledBody() {
  const state = { cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"enabled":tr'));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

/** A fetch whose answer's body stalls and ignores the request's signal. */
function stallingFetch() {
  const body = stalledBody();
  return { state: body.state, fetch: async () => new Response(body.stream, { status: 200 }) };
}

const HUNG = Symbol('still waiting after 2 s');
const within2s = <T>(promise: Promise<T>) =>
  Promise.race([promise.then((v) => v, (e: unknown) => e), new Promise<typeof HUNG>((r) => setTimeout(() => r(HUNG), 2000))]);

describe('body reads have a deadline on every fetch', () => {
  it('a stalled body (intercepted global fetch) fails with timeout after timeoutMs, not never', async () => {
    onApi(() => new HttpResponse(stalledBody().stream, { status: 200, headers: { 'content-type': 'application/json' } }));
    const { client } = makeClient({ retries: 0, timeoutMs: 100 });
    const outcome = await within2s(client.status());
    expect(outcome).not.toBe(HUNG);
    expect(outcome).toMatchObject({ code: 'timeout' });
  });

  it('a stalled body from a custom `fetch` option fails with timeout after timeoutMs, and the body is cancelled', async () => {
    const { fetch, state } = stallingFetch();
    const { client } = makeClient({ retries: 0, timeoutMs: 100, fetch });
    const outcome = await within2s(client.status());
    expect(outcome).not.toBe(HUNG);
    expect(outcome).toMatchObject({ code: 'timeout' });
    expect(state.cancelled).toBe(true);
  });

  it("the caller's AbortSignal ends a call stuck reading a stalled body (code aborted), and no timer is left", async () => {
    const { fetch, state } = stallingFetch();
    const clock = createFakeClock();
    const { client } = makeClient({ retries: 0, timeoutMs: 60_000, fetch, clock });
    const outcome = await within2s(client.status({ signal: AbortSignal.timeout(100) }));
    expect(outcome).not.toBe(HUNG);
    expect(outcome).toMatchObject({ code: 'aborted' });
    expect(state.cancelled).toBe(true);
    expect(clock.pending, "the attempt timer of an aborted call was not cleared").toBe(0);
  });

  it('a fetch that ignores the signal altogether (never answers) fails with timeout', async () => {
    const fetch = () => new Promise<Response>(() => undefined);
    const { client } = makeClient({ retries: 0, timeoutMs: 100, fetch });
    expect(await within2s(client.status())).toMatchObject({ code: 'timeout' });
  });

  it('a dispatcher that ignores the signal, with a stalled body: timeout, and the body is destroyed', async () => {
    const body = new Readable({ read: () => undefined });
    body.push('{"enabled":tr');
    const dispatcher = { request: async () => ({ statusCode: 200, headers: {}, body }) } as unknown as Dispatcher;
    const { client } = makeClient({ retries: 0, timeoutMs: 100, transport: 'undici', dispatcher });
    expect(await within2s(client.status())).toMatchObject({ code: 'timeout' });
    expect(body.destroyed).toBe(true);
  });
});
