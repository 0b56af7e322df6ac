// An outside review found: a `signal` option that is not an AbortSignal (the classic slip: the
// AbortController itself) failed with a bare TypeError from inside the SDK, not invalid_argument,
// after the attempt's 5 s timer had started; the throw came outside the try whose finally clears
// it, so the timer stayed behind and fired later.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { isPulseError } from '@openkbs-pulse/protocol';
import { answerWith, makeClient, PUBLISH_RESPONSE, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A fake clock that records whether any timer it set fired. */
function recordingClock() {
  const clock = createFakeClock();
  const state = { fired: false };
  const setTimeout = clock.setTimeout.bind(clock);
  clock.setTimeout = (callback: () => void, ms: number) => setTimeout(() => ((state.fired = true), callback()), ms);
  return { clock, state };
}

describe('the signal option', () => {
  it('an AbortController (not its .signal) is an invalid_argument PulseError naming signal; nothing is sent', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    const { client } = makeClient();
    const controller = new AbortController();
    const error = await client.publish('c', 'e', {}, { signal: controller as unknown as AbortSignal }).catch((e: unknown) => e);
    expect(received).toEqual([]);
    expect(isPulseError(error), `got ${String(error)}`).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('signal') });
  });

  it('publishBatch with a bad signal rejects once with invalid_argument', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    const { client } = makeClient();
    const error = await client.publishBatch([{ channel: 'c', event: 'e' }], { signal: {} as AbortSignal }).catch((e: unknown) => e);
    expect(received).toEqual([]);
    expect(error).toMatchObject({ code: 'invalid_argument' });
  });

  it('the failed call leaves no timer behind', async () => {
    const { clock, state } = recordingClock();
    answerWith(PUBLISH_RESPONSE);
    const { client } = makeClient({ clock, retries: 0 });
    await client.status({ signal: {} as AbortSignal }).catch(() => undefined);
    clock.advance(10_000);
    expect(state.fired, 'the 5 s attempt timer of a call that already failed still fired').toBe(false);
  });

  it('a signal whose addEventListener throws: the attempt timer was never started', async () => {
    const { clock, state } = recordingClock();
    const received = answerWith(PUBLISH_RESPONSE);
    const { client } = makeClient({ clock, retries: 0 });
    const throwing = { aborted: false, addEventListener: () => { throw new Error('listener refused'); }, removeEventListener: () => undefined };
    const error = await client.status({ signal: throwing as unknown as AbortSignal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'listener refused' });
    expect(received).toEqual([]);
    clock.advance(10_000);
    expect(state.fired).toBe(false);
  });
});
