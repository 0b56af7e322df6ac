// An outside review found: a timer callback that calls clock.advance() inside an advance() made
// the outer advance() set now() back to its own, earlier target.
//
// Expected (README: "The clock only moves forward"; FakeClock.advance: "Moves time forward by
// `ms`"): now() never decreases, whatever a timer callback does. A callback that itself calls
// clock.advance(ms) (a test helper that "lets time pass" from inside a scheduled step) moves the
// clock to the inner target, and the outer advance must not undo it.
//
// Before the fix, advance() computed `until = now + ms`, ran the due timers and ended with
// `now = until`: time went from 510 back to 100, and timers armed at 510 + d waited 410 ms more.
import { expect, it } from 'vitest';
import { createFakeClock } from '../src/index.js';

it('now() never goes back when a timer callback advances the clock', () => {
  const clock = createFakeClock(0);
  const seen: number[] = [];
  clock.setTimeout(() => {
    clock.advance(500); // inside the outer advance(100): time is now 510
    seen.push(clock.now());
  }, 10);
  clock.advance(100);
  seen.push(clock.now());
  expect(seen).toEqual([510, 510]);
});

it('a timer armed inside the re-entrant advance fires at its own time, not later', () => {
  const clock = createFakeClock(0);
  const fired: number[] = [];
  clock.setTimeout(() => {
    clock.advance(500); // time is 510
    clock.setTimeout(() => fired.push(clock.now()), 20); // due at 530
  }, 10);
  clock.advance(100); // time stays 510: the timer due at 530 has not fired
  expect({ now: clock.now(), fired }).toEqual({ now: 510, fired: [] });
  clock.advance(20);
  expect({ now: clock.now(), fired }).toEqual({ now: 530, fired: [530] });
});
