/**
 * Reconnect delays: the seed's schedule 1s → 2s → 5s → 10s → 30s (then 30 s), each shortened
 * by up to 60 % of jitter (so a herd of clients spreads its first retry over 0.4-1 s) so thousands of clients do not reconnect in lockstep, and never
 * longer than the schedule says.
 * @module
 */
import { RECONNECT_DELAYS_MS } from '@openkbs-pulse/protocol';

/** Share of a delay that jitter may remove. */
export const JITTER = 0.6;

/** A connection that stayed open this long resets the schedule to its first step. */
export const STABLE_CONNECTION_MS = 10_000;

/** Delay before reconnect attempt number `attempt` (0-based); `random` returns [0, 1). */
export const backoffDelay = (attempt: number, random: () => number): number =>
  // Past the schedule: its last step.
  Math.round((RECONNECT_DELAYS_MS[attempt] ?? (RECONNECT_DELAYS_MS.at(-1) as number)) * (1 - JITTER * random()));
