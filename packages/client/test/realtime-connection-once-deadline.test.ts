// An outside review found: Pulse.Realtime connection.once(event) without a callback is documented as "rejects if
// the client is closed, failed or suspended first ..., so it never waits for ever". Called while
// the client already IS closed / failed / suspended, no change comes, and it waits for ever.
// And once(['a', 'b'], cb) / once(['a','b']): Ably removes the listener for every event of the
// array after the first call; here only the key that fired is removed, so the callback fires
// again on the other event, and the promise form leaves a registration behind.
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupRealtime } from './helpers.js';

describe('connection.once() promise form', () => {
  it('called while closed, it settles (it rejects; it never waits for ever)', async () => {
    const { realtime, clock } = setupRealtime();
    realtime.close();
    await flush();
    clock.advance(2_000);
    await flush();
    expect(realtime.connection.state).toBe('closed');
    const next = realtime.connection.once('connected');
    clock.advance(10 * 60_000);
    expect(await settledAs(next)).toBe('not_connected');
  });

  it('called while suspended, it settles (the documented deadline)', async () => {
    const { realtime, ws, clock } = setupRealtime({ connectionStateTtlMs: 5_000 });
    realtime.connection.on(() => {});
    realtime.connection.on('update', () => {});
    ws.last.drop(1006);
    for (let t = 0; t < 20 && realtime.connection.state !== 'suspended'; t++) {
      clock.advance(1_000);
      await flush();
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    expect(realtime.connection.state).toBe('suspended');
    const next = realtime.connection.once('connected');
    // The service stays unreachable: every retry fails.
    for (let t = 0; t < 600; t++) {
      clock.advance(1_000);
      await flush();
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    expect(realtime.connection.state).toBe('suspended');
    expect(await settledAs(next)).toBe('timeout');
  });
});

describe('connection.once() with an array of events', () => {
  it('the callback is called once, for the first of the events (as Ably)', async () => {
    const { realtime, ws } = setupRealtime();
    const calls: string[] = [];
    realtime.connection.once(['connected', 'disconnected'], (change) => calls.push(change.current));
    ws.last.accept();
    await flush();
    ws.last.drop(1006);
    await flush();
    expect(calls).toEqual(['connected']);
  });
});

describe('connection.once() promise form with an array of events', () => {
  it('resolves with the first of them (the callback form shows both registrations go at once)', async () => {
    const { realtime, ws } = setupRealtime();
    const next = realtime.connection.once(['connected', 'disconnected']);
    ws.last.accept();
    await flush();
    expect(await next).toMatchObject({ current: 'connected' });
  });
});
