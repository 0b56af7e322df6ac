/**
 * Retry policy: exponential backoff with jitter on transient failures (network errors,
 * timeouts, 429 honouring `Retry-After`, 5xx), never on other 4xx; bounded attempts.
 * Time and randomness are injected so tests run without real waiting.
 * @module
 */
import { errorMessage, PulseError, type Clock } from '@openkbs-pulse/protocol';

/** Retry settings. */
export interface RetryOptions {
  /** Retries after the first attempt (0 disables retrying). @default 2 */
  retries?: number | undefined;
  /** Backoff before the first retry, in ms; doubles each retry. @default 200 */
  baseDelayMs?: number | undefined;
  /** Largest backoff, in ms. @default 5000 */
  maxDelayMs?: number | undefined;
  /** Largest `Retry-After` honoured, in ms; a longer one fails at once with `rate_limited`. @default 30000 */
  maxRetryAfterMs?: number | undefined;
}

/** Resolved {@link RetryOptions}. */
export type RetryPolicy = Required<{ [K in keyof RetryOptions]: number }>;

/** Defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  retries: 2,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxRetryAfterMs: 30_000,
});

/** Fills in defaults and checks bounds. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const pick = (value: number | undefined, fallback: number, name: string): number => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value < 0) throw new PulseError('invalid_argument', errorMessage('invalid_argument', `${name} must be a non-negative number`));
    return value;
  };
  return {
    retries: Math.floor(pick(options.retries, DEFAULT_RETRY.retries, 'retries')),
    baseDelayMs: pick(options.baseDelayMs, DEFAULT_RETRY.baseDelayMs, 'baseDelayMs'),
    maxDelayMs: pick(options.maxDelayMs, DEFAULT_RETRY.maxDelayMs, 'maxDelayMs'),
    maxRetryAfterMs: pick(options.maxRetryAfterMs, DEFAULT_RETRY.maxRetryAfterMs, 'maxRetryAfterMs'),
  };
}

/**
 * Backoff before retry number `retry` (1-based): "equal jitter", i.e. half the exponential
 * step plus a random part of the other half, so delays never collapse to zero but spread.
 * @param random returns a number in [0, 1).
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Parses a `Retry-After` header (delta seconds or an HTTP date) into ms from `nowMs`.
 * Returns `undefined` for a missing or unparseable value.
 * @param value - a `Retry-After` header: seconds or an HTTP date.
 * @param nowMs - the current time, in ms since the epoch.
 * @example
 * ```ts
 * parseRetryAfter('2', Date.now()); // 2000
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.now()); // ms until then
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date starts with a day name; anything else numeric-looking (negative, garbage) is ignored.
  if (!/^[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Waits `ms` on `clock`; rejects when `signal` aborts. */
export function clockSleep(clock: Clock): (ms: number, signal?: AbortSignal) => Promise<void> {
  return (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clock.clearTimeout(handle);
        reject(signal?.reason);
      };
      const handle = clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
}
