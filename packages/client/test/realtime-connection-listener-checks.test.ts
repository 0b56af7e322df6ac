// An outside review found: Pulse.Realtime connection.once/on without a callback. The types accept
// `connection.once('connected')` (callback is optional in the signature); Ably code does
// `await realtime.connection.once('connected')`. It returned nothing and logged a TypeError at the
// next change; now it throws invalid_argument at once (as every listener without a function, and
// a state name no state has, do).
import { describe, expect, it } from 'vitest';
import { isPulseError } from '../src/index.js';
import { setupRealtime } from './helpers.js';

describe('connection.once without a callback', () => {
  it("once('connected') with no callback: a promise of the change, or a typed invalid_argument; never a TypeError in a listener later", async () => {
    const listenerErrors: unknown[] = [];
    const { realtime, ws } = setupRealtime({ onListenerError: (e) => listenerErrors.push(e) });
    let result: unknown;
    let thrown: unknown;
    try {
      // Type-checks as written: `callback` is optional in once()'s signature.
      result = realtime.connection.once('connected') as unknown;
    } catch (e) {
      thrown = e;
    }
    ws.last.accept();
    const promiseForm = typeof (result as { then?: unknown })?.then === 'function';
    const typedError = isPulseError(thrown) && thrown.code === 'invalid_argument';
    expect({ promiseForm, typedError, listenerErrors: listenerErrors.map(String) }).toMatchObject({ listenerErrors: [] });
    expect(promiseForm || typedError).toBe(true);
  });
});

describe('connection.on with an event no state has', () => {
  it("on('connectd', cb) (a typo) throws invalid_argument naming the events it could be, instead of never firing", () => {
    const { realtime, ws } = setupRealtime();
    expect(() => realtime.connection.on('connectd' as never, () => {})).toThrow(
      expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/unknown event connectd: use one of initialized, .*update/) }),
    );
    const called: string[] = [];
    expect(() => realtime.connection.on(['connected', 'nope'] as never, (c) => called.push(c.current))).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    ws.last.accept();
    expect(called).toEqual([]); // a refused call adds nothing, not even its valid keys
    // Valid forms still work.
    expect(() => realtime.connection.on(['connected', 'update'], () => {})).not.toThrow();
    expect(() => realtime.connection.once(() => {})).not.toThrow();
  });
});
