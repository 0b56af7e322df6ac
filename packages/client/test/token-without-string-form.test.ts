// An outside review found: the client's token check still built its message with String(token),
// after the other messages had moved to shownValue. A token option without a string form
// ({ "toString": 1 } from JSON config, a null-prototype object) made `new Pulse(...)` and
// `new Realtime(...)` throw a plain TypeError ("Cannot convert object to primitive value"), where
// every other bad option is refused with invalid_argument. Now it is invalid_argument too.
import { describe, expect, it } from 'vitest';
import { isPulseError } from '../src/index.js';
import { setupRealtime } from './helpers.js';

const caught = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('a token without a string form', () => {
  it('is refused with invalid_argument, not a TypeError', () => {
    const error = caught(() => setupRealtime({ autoConnect: false, token: { toString: 1 } as never }));
    expect(error).toBeDefined();
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
  });

  it('a null-prototype token object too', () => {
    const error = caught(() => setupRealtime({ autoConnect: false, token: Object.create(null) as never }));
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
  });
});
