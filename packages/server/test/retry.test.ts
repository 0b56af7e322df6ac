import { describe, expect, it } from 'vitest';
import { backoffDelayMs, clockSleep, parseRetryAfter, retryPolicy } from '../src/retry.js';
import { createFakeClock } from '@openkbs-pulse/mock-server';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2024, 0, 1);
  it.each([
    ['0', 0],
    ['3', 3000],
    [' 1.5 ', 1500],
    [new Date(now + 10_000).toUTCString(), 10_000],
    [new Date(now - 10_000).toUTCString(), 0],
  ])('%j -> %i ms', (value, ms) => expect(parseRetryAfter(value, now)).toBe(ms));
  it.each([undefined, null, '', 'soon', '-1'])('%j -> undefined', (value) => expect(parseRetryAfter(value, now)).toBeUndefined());
});

describe('backoffDelayMs', () => {
  const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
  it('doubles per retry, jitters within [step/2, step], caps at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, policy, () => 0.999999))).toEqual([100, 200, 400, 800, 1000]);
  });
});

describe('retryPolicy', () => {
  it('fills defaults and rejects negative values', () => {
    expect(retryPolicy()).toEqual({ retries: 2, baseDelayMs: 200, maxDelayMs: 5000, maxRetryAfterMs: 30_000 });
    expect(() => retryPolicy({ retries: -1 })).toThrow(/retries/);
    expect(() => retryPolicy({ baseDelayMs: Number.NaN })).toThrow(/baseDelayMs/);
  });
});

describe('clockSleep', () => {
  it('resolves when the clock reaches the delay and rejects on abort', async () => {
    const clock = createFakeClock();
    const sleep = clockSleep(clock);
    let done = false;
    const waiting = sleep(1000).then(() => (done = true));
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await waiting;
    expect(done).toBe(true);

    const controller = new AbortController();
    const aborted = sleep(1000, controller.signal).catch((e: unknown) => e);
    controller.abort(new Error('stop'));
    expect(await aborted).toMatchObject({ message: 'stop' });
    expect(clock.pending).toBe(0);
  });
});
