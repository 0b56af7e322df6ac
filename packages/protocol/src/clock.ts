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

/** The runtime's own clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
