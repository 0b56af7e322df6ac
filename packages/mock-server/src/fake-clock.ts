import { isTimestamp, MAX_TIME_MS, PulseError, shownValue, type Clock, type TimerHandle } from '@openkbs-pulse/protocol';

/** A {@link Clock} whose time moves only when the test says so. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`, running every timer that falls due, in order. A timer that
   * advances the clock itself moves it further; time never goes back.
   * @throws PulseError `invalid_argument` when `ms` is not a finite number of 0 or more (NaN,
   * negative, Infinity), or would take the time past the largest number (Number.MAX_VALUE); the clock is left as it was.
   *
   * @param ms - how far, in milliseconds.
   * @example
   * ```ts
   * clock.advance(1000); // the first reconnection delay passes at once
   * ```
   */
  advance(ms: number): void;
  /**
   * Runs timers until none is left (bounded, so a timer that re-arms itself cannot loop forever).
   *
   * @param maxTimers - how many timers to run at most.
   * @example
   * ```ts
   * clock.runAll(); // every pending timeout fires now
   * ```
   */
  runAll(maxTimers?: number): void;
  /** How many timers are waiting. */
  readonly pending: number;
}

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * Refuses an amount that would break the clock for good: NaN makes `now()` NaN (no timer ever
 * fires again, and tests fail far from the cause), a negative one moves time backwards, and one
 * that takes the time to Infinity leaves it there.
 */
function checkAdvance(ms: unknown, now: number): void {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) {
    // The service's times are the protocol's (isTimestamp): its SDK and clients refuse any later.
    if (now + ms <= MAX_TIME_MS) return;
    throw new PulseError('invalid_argument', `clock.advance(${ms}) would take the time past the largest a service time can be (${MAX_TIME_MS} ms, the latest a Date holds; it is ${now}); advance less`);
  }
  const fix = ms === Number.POSITIVE_INFINITY ? 'to run every pending timer, call runAll()' : 'time only moves forward: pass how many milliseconds pass, 0 or more';
  throw new PulseError('invalid_argument', `clock.advance(ms) takes a finite number of milliseconds (got ${typeof ms === 'number' ? String(ms) : typeof ms}); ${fix}`);
}

/**
 * Creates a fake clock starting at `startMs` (default: 2024-01-01T00:00:00Z).
 * Pass it as the `clock` option of the client, the server SDK or the local service.
 *
 * @param startMs - the time it starts at, in ms since the epoch.
 * @example
 * ```ts
 * const clock = createFakeClock();
 * const service = await createPulseService({ clock });
 * const pulse = new Pulse({ kbId: service.kbId, token: await service.createToken('u1'), endpoint: service.wsUrl, clock });
 * clock.advance(1000); // timers due within 1 s run now. Over a real socket, advance less than
 * // heartbeatTimeoutMs at a time and await in between (docs/testing.md, "Time").
 * ```
 */
export function createFakeClock(startMs = Date.UTC(2024, 0, 1)): FakeClock {
  if (!isTimestamp(startMs)) {
    throw new PulseError('invalid_argument', `createFakeClock(startMs) takes a time in ms since the epoch, from 0 to ${MAX_TIME_MS} (got ${shownValue(startMs)}): the service's times must be ones its SDK and clients accept`);
  }
  let now = startMs;
  let nextId = 1;
  let timers: Timer[] = [];

  const runDue = (until: number): boolean => {
    let due: Timer | undefined;
    for (const timer of timers) if (timer.at <= until && (!due || timer.at < due.at || (timer.at === due.at && timer.id < due.id))) due = timer;
    if (!due) return false;
    timers = timers.filter((timer) => timer !== due);
    // runAll() runs a timer set for ever too, without taking the time to Infinity.
    if (Number.isFinite(due.at)) now = Math.max(now, due.at);
    due.callback();
    return true;
  };

  return {
    now: () => now,
    setTimeout(callback: () => void, ms: number): TimerHandle {
      // As a real timer: the delay is taken as a number ('100' too), and one that is no positive
      // number (NaN too) fires soon, not never.
      const timer = { id: nextId++, at: now + (Math.max(0, ms) || 0), callback };
      timers.push(timer);
      return timer.id;
    },
    clearTimeout(handle: TimerHandle): void {
      timers = timers.filter((timer) => timer.id !== handle);
    },
    advance(ms: number): void {
      checkAdvance(ms, now);
      const until = now + ms;
      // A timer it runs may advance the clock further (a re-entrant advance): what is due by then
      // runs too, and time never goes back.
      while (runDue(Math.max(until, now)));
      now = Math.max(now, until);
    },
    runAll(maxTimers = 10_000): void {
      for (let i = 0; i < maxTimers && runDue(Number.POSITIVE_INFINITY); i++);
    },
    get pending() {
      return timers.length;
    },
  };
}
