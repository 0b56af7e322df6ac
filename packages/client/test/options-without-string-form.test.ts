// An option or event name without a string form (`{ "toString": 1 }` from JSON config, a
// null-prototype object) is refused with the typed error every other bad one gets. Before, the
// message built from it threw a TypeError ("Cannot convert object to primitive value") instead:
// `new Pulse({ region })` and `connection.on(event, cb)` threw something no `isPulseError` catches.
// An outside review then found the token's message still built with String(token): a token option
// without a string form made `new Pulse(...)` / `new Realtime(...)` throw a TypeError too.
// A token that is not a string is `invalid_token` (it was `invalid_argument` until a docs review
// found errors.md, getting-started.md and the server SDK's decodeToken file it there): what is
// pinned here is still that it is a PulseError, not a TypeError.
import { describe, expect, it } from 'vitest';
import { isPulseError } from '../src/index.js';
import { makeToken, setupRealtime } from './helpers.js';

const caught = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('values without a string form', () => {
  it('a region without one is invalid_argument', () => {
    const error = caught(() => setupRealtime({ autoConnect: false, token: makeToken({ endpoint: 'wss://pulse.test' }), region: { toString: 1 } as never }));
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
    expect((error as Error).message).toContain('a value of type object');
  });

  it('an event name without one is invalid_argument', () => {
    const { realtime } = setupRealtime({ autoConnect: false, token: makeToken({ endpoint: 'wss://pulse.test' }) });
    const error = caught(() => realtime.connection.on(Object.create(null) as never, () => {}));
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
  });

  it('a token without one is invalid_token, not a TypeError', () => {
    const error = caught(() => setupRealtime({ autoConnect: false, token: { toString: 1 } as never }));
    expect(error).toBeDefined();
    expect(isPulseError(error) && error.code).toBe('invalid_token');
  });

  it('a null-prototype token object too', () => {
    const error = caught(() => setupRealtime({ autoConnect: false, token: Object.create(null) as never }));
    expect(isPulseError(error) && error.code).toBe('invalid_token');
  });
});
