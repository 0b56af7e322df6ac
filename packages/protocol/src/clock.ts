/**
 * The time source SDKs and the local service take as an option, so tests can control time
 * without patching globals. `globalThis` timers satisfy it.
 * @module
 */

/** An opaque timer handle. */
export type TimerHandle = unknown;

/** Timers and wall-clock time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer created by {@link Clock.setTimeout}. Unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The longest delay a runtime timer keeps: longer ones (Node, browsers) fire at once, after 1 ms.
 * {@link systemClock} waits at most this long, so a "practically never" option (`timeoutMs:
 * 2 ** 31`, `Number.MAX_SAFE_INTEGER`) waits about 24.8 days, not one millisecond.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** The runtime's own clock; a timer longer than {@link MAX_TIMER_MS} waits that long. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, Math.min(ms, MAX_TIMER_MS)),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
