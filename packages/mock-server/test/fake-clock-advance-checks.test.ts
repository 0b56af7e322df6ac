// An outside review found: createFakeClock().advance() took NaN and negative amounts: NaN made
// `now()` NaN for good (no later timer ever fired, and tokens minted against it failed far from the
// cause), and a negative amount moved time backwards, against its doc ("Moves time forward by ms").
//
// A wrong amount (NaN, negative, infinite, not a number) is refused with PulseError
// `invalid_argument` saying how to fix it, and the clock is left as it was.
import { describe, expect, it } from 'vitest';
import { MAX_TIME_MS } from '@openkbs-pulse/protocol';
import { createFakeClock } from '../src/index.js';

describe('fake clock advance()', () => {
  it.each([Number.NaN, -1_000, -0.5, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, '1000' as unknown as number])(
    'advance(%o) is refused with invalid_argument and leaves the time as it was',
    (ms) => {
      const clock = createFakeClock();
      const before = clock.now();
      let ran = false;
      clock.setTimeout(() => (ran = true), 1_000);
      expect(() => clock.advance(ms)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringContaining('clock.advance') }));
      expect(clock.now()).toBe(before);
      expect(ran).toBe(false);
      expect(clock.pending).toBe(1);
      clock.advance(1_000);
      expect(ran).toBe(true);
    },
  );

  it('advance(0) and fractions are still fine', () => {
    const clock = createFakeClock(0);
    clock.advance(0);
    clock.advance(0.5);
    expect(clock.now()).toBe(0.5);
  });

  it('advance(Infinity) points at runAll()', () => {
    expect(() => createFakeClock().advance(Number.POSITIVE_INFINITY)).toThrow(/runAll\(\)/);
  });

  it('refuses an amount that would take the time past the largest service time, and stays usable', () => {
    const clock = createFakeClock();
    clock.advance(MAX_TIME_MS - clock.now());
    const before = clock.now();
    expect(before).toBe(MAX_TIME_MS);
    for (const ms of [1, Number.MAX_VALUE]) {
      expect(() => clock.advance(ms)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringContaining('largest') }));
    }
    expect(clock.now()).toBe(before);
    clock.advance(0);
  });

  // An outside review found: the service stamped publishes with times its own SDK and clients
  // refuse (a clock started before the epoch, or advanced past Date's range).
  it.each([-1_000, Number.NaN, MAX_TIME_MS + 1])('createFakeClock(%o) is refused with invalid_argument', (start) => {
    expect(() => createFakeClock(start)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringContaining('createFakeClock') }));
  });

  it('setTimeout(cb, NaN) fires at the next advance, as a real timer fires soon', () => {
    const clock = createFakeClock();
    let ran = false;
    clock.setTimeout(() => (ran = true), Number.NaN);
    clock.advance(0);
    expect(ran).toBe(true);
  });

  // An outside review found both: the NaN fix above added a numeric-string delay to the time as a
  // string ('100' fired 50,000 years later), and runAll() still took the time to Infinity.
  it("setTimeout(cb, '100') from plain JS fires at advance(100), as a real timer", () => {
    const clock = createFakeClock();
    let ran = false;
    clock.setTimeout(() => (ran = true), '100' as unknown as number);
    clock.advance(99);
    expect(ran).toBe(false);
    clock.advance(1);
    expect(ran).toBe(true);
  });

  it('runAll() runs a timer set for ever without taking the time to Infinity', () => {
    const clock = createFakeClock();
    const before = clock.now();
    let ran = false;
    clock.setTimeout(() => (ran = true), Number.POSITIVE_INFINITY);
    clock.runAll();
    expect(ran).toBe(true);
    expect(clock.now()).toBe(before);
    clock.advance(1);
    expect(clock.now()).toBe(before + 1);
  });
});
