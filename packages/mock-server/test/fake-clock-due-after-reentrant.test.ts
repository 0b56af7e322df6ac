// An outside review found: after a re-entrant advance, advance() returned with a timer due at
// now() still pending.
//
// Review: after a re-entrant advance (a1ed472's case), advance() returns with a timer that is
// due at now() still pending.
//
// Expected (FakeClock.advance: "Moves time forward by `ms`, running every timer that falls due,
// in order. A timer that advances the clock itself moves it further"): when advance() returns,
// no timer due at or before now() is left waiting, as after any advance without re-entrance (a
// callback that arms setTimeout(fn, 0) there has fn run in the same advance()). Fix: loop on
// `runDue(Math.max(until, now))` in fake-clock.ts advance().
//
// Actual: the outer advance(100) still runs timers only up to its own target (100), while the
// clock stands at 510 after the inner advance(500): a timer armed at 510 by the same callback is
// due (now() === 510) but does not fire until some later advance().
import { expect, it } from 'vitest';
import { createFakeClock } from '../src/index.js';

it('control: without re-entrance, a timer armed for now() by a callback runs in the same advance()', () => {
  const clock = createFakeClock(0);
  const fired: number[] = [];
  clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 0), 10);
  clock.advance(100);
  expect({ now: clock.now(), fired, pending: clock.pending }).toEqual({ now: 100, fired: [10], pending: 0 });
});

it('after a re-entrant advance, no timer due at now() is left pending when advance() returns', () => {
  const clock = createFakeClock(0);
  const fired: number[] = [];
  clock.setTimeout(() => {
    clock.advance(500); // time is 510
    clock.setTimeout(() => fired.push(clock.now()), 0); // due at 510, i.e. now
  }, 10);
  clock.advance(100);
  expect({ now: clock.now(), fired, pending: clock.pending }).toEqual({ now: 510, fired: [510], pending: 0 });
});
