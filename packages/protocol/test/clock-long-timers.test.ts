// Runtime timers longer than 2^31 - 1 ms fire at once, after 1 ms. An outside review found every
// server SDK call timing out at once with `timeoutMs: 2 ** 31` ("practically never"); the client's
// own options (connectionStateTtlMs, heartbeatIntervalMs) had the same trap. systemClock, which
// they all use, waits at most MAX_TIMER_MS instead.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, systemClock } from '@openkbs-pulse/protocol';

afterEach(() => vi.restoreAllMocks());

describe('systemClock and long delays', () => {
  it.each([2 ** 31, 30 * 24 * 3600 * 1000, Number.MAX_SAFE_INTEGER])('a timer of %d ms does not fire at once', async (ms) => {
    let fired = false;
    const handle = systemClock.setTimeout(() => (fired = true), ms);
    await new Promise((resolve) => setTimeout(resolve, 30));
    systemClock.clearTimeout(handle);
    expect(fired).toBe(false);
  });

  it('hands the runtime at most MAX_TIMER_MS, and shorter delays unchanged', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    systemClock.clearTimeout(systemClock.setTimeout(() => {}, Number.MAX_SAFE_INTEGER));
    systemClock.clearTimeout(systemClock.setTimeout(() => {}, 1500));
    expect(spy.mock.calls.map((call) => call[1])).toEqual([MAX_TIMER_MS, 1500]);
  });
});
