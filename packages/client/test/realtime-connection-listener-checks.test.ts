// An outside review found: Pulse.Realtime connection.once/on without a callback. The types accept
// `connection.once('connected')` (callback is optional in the signature); Ably code does
// `await realtime.connection.once('connected')`. It returned nothing and logged a TypeError at the
// next change; then it threw invalid_argument at once, and a later review asked for Ably's promise
// form, which it now is (with a deadline: closed, failed or suspended first rejects it).
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
    expect({ promiseForm, typedError }).toEqual({ promiseForm: true, typedError: false });
    await expect(result).resolves.toMatchObject({ current: 'connected', previous: 'connecting' });
  });

  it('rejects when the client is closed first (disconnected), or failed (the reason); an event no state has rejects, never throws', async () => {
    const { realtime, ws } = setupRealtime();
    const closedFirst = realtime.connection.once('connected');
    realtime.close();
    await expect(closedFirst).rejects.toMatchObject({ code: 'disconnected', message: 'the connection was closed before "connected"' });
    realtime.connect();
    const failedFirst = realtime.connection.once('connected');
    ws.last.refuse(403, { error: 'not enabled', code: 'pulse_not_enabled' });
    await expect(failedFirst).rejects.toMatchObject({ code: 'pulse_not_enabled' });
    let typo: Promise<unknown> | undefined;
    expect(() => (typo = realtime.connection.once('connectd' as 'connected'))).not.toThrow();
    await expect(typo).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('ignored, a rejected one is no unhandled rejection; a resolved one leaves no listener behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { realtime, ws } = setupRealtime();
      void realtime.connection.once('connected');
      ws.last.accept();
      void realtime.connection.once('failed');
      realtime.close();
      await new Promise((r) => setTimeout(r, 20));
      const calls: string[] = [];
      realtime.connection.on((change) => calls.push(change.current));
      realtime.connect();
      expect(calls).toEqual(['connecting']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('connection.on with an event no state has', () => {
  it("on('connectd', cb) (a typo) throws invalid_argument naming the events it could be, instead of never firing", () => {
    const { realtime, ws } = setupRealtime();
    expect(() => realtime.connection.on('connectd' as never, () => {})).toThrow(
      expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/unknown event "connectd": use one of initialized, .*update/) }),
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
