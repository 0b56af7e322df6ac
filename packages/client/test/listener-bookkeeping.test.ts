// An outside review of listener bookkeeping: a released channel object used again, a listener
// that stops and subscribes again inside its callback, an unknown presence action (Ably's
// "present": refused, it never fired), a presence read pending while its channel is released.
import { describe, expect, it } from 'vitest';
import { isPulseError } from '../src/index.js';
import { flush, setupPulse, setupRealtime } from './helpers.js';

const msg = (channel: string, type: string, extra: object = {}) => ({ type: 'message', channel, data: { type, ...extra }, timestamp: 1 });

describe('listener bookkeeping', () => {
  it('Realtime: release, then the old channel object subscribes again and gets messages; the server is subscribed again', async () => {
    const { realtime, ws } = setupRealtime();
    ws.last.accept();
    const ch = realtime.channels.get('room');
    const got: string[] = [];
    ch.subscribe('m', () => got.push('first'));
    realtime.channels.release('room');
    ch.subscribe('m', () => got.push('second'));
    ws.last.receive(msg('room', 'm'));
    expect(got).toEqual(['second']);
    expect(ws.last.actions.map((a) => a.action)).toEqual(['subscribe', 'unsubscribe', 'subscribe']);
    // unsubscribe through the old object removes the new listener
    ch.unsubscribe();
    ws.last.receive(msg('room', 'm'));
    expect(got).toEqual(['second']);
    expect(ws.last.actions.map((a) => a.action).at(-1)).toBe('unsubscribe');
  });
  it('Pulse: a listener that stops itself and subscribes again in its callback gets the next message once', () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    const ch = pulse.channel('room');
    const got: number[] = [];
    let n = 0;
    const listen = () => {
      const stop = ch.subscribe('m', (d) => {
        got.push(d.i as number);
        stop();
        if (++n < 3) listen();
      });
    };
    listen();
    for (let i = 1; i <= 4; i++) ws.last.receive(msg('room', 'm', { i }));
    expect(got).toEqual([1, 2, 3]);
  });
  it('Realtime: presence.subscribe with an unknown action (Ably\'s "present") is refused, not silently never called', () => {
    const { realtime } = setupRealtime();
    let error: unknown;
    try {
      realtime.channels.get('room').presence.subscribe('present' as never, () => {});
    } catch (e) {
      error = e;
    }
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
  });
  it('Realtime: a presence.get() pending while the channel is released rejects (typed) and does not leak', async () => {
    const { realtime, ws } = setupRealtime();
    ws.last.accept();
    const p = realtime.channels.get('room').presence.get();
    realtime.channels.release('room');
    await expect(p).rejects.toMatchObject({ code: 'disconnected' });
    await flush();
  });
});
