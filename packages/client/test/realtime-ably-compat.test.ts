// Pulse.Realtime against what Ably users (and the tutorial) expect of the same calls. Each case
// is a reproduction found by an outside review (it failed before the fix).
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, setupRealtime } from './helpers.js';

const member = (n: number, data?: unknown): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n, data });

describe('Pulse.Realtime: Ably-compatible calls', () => {
  it('presence.get(callback) whose callback throws (the tutorial\'s m.data.name on a member without data): reported to onListenerError, no unhandled rejection', async () => {
    const reported: unknown[] = [];
    const { ws, realtime } = setupRealtime({ onListenerError: (e) => reported.push(e) });
    ws.last.accept();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const channel = realtime.channels.get('posts');
      channel.presence.get((members) => {
        members.forEach((m) => (m.data as { name: string }).name);
      });
      ws.last.receive({ type: 'presence', action: 'sync', channel: 'posts', count: 1, members: [member(1)] });
      await flush();
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect({ unhandled: unhandled.map(String), reported: reported.map((e) => (e as Error).name) }).toEqual({ unhandled: [], reported: ['TypeError'] });
  });

  it('a presence.get that fails calls no callback and reports nothing as a listener error', async () => {
    const reported: unknown[] = [];
    const { ws, realtime } = setupRealtime({ onListenerError: (e) => reported.push(e) });
    ws.last.accept();
    const called: unknown[] = [];
    const got = realtime.channels.get('posts').presence.get((members) => called.push(members));
    realtime.close();
    await expect(got).rejects.toMatchObject({ code: 'disconnected' });
    await flush();
    expect({ called, reported }).toEqual({ called: [], reported: [] });
  });

  it('unsubscribe() through any object channels.get(name) returned removes every listener of the channel; the same object while it is in use', async () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const a = realtime.channels.get('posts');
    const b = realtime.channels.get('posts');
    const got: string[] = [];
    a.subscribe('m', () => got.push('a'));
    b.subscribe('m', () => got.push('b'));
    expect(realtime.channels.get('posts')).toBe(a);
    realtime.channels.get('posts').unsubscribe();
    ws.last.receive({ type: 'message', channel: 'posts', data: { type: 'm' }, timestamp: 1 });
    expect(got).toEqual([]);
    expect(ws.last.frames.at(-1)).toEqual({ action: 'unsubscribe', channel: 'posts' });
  });

  it('presence.unsubscribe() through another object removes the presence listeners too', () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const got: number[] = [];
    realtime.channels.get('room').presence.subscribe((members) => got.push(members.length));
    realtime.channels.get('room').presence.subscribe('enter', () => got.push(-1));
    new Set([realtime.channels.get('room')]).forEach((ch) => ch.presence.unsubscribe());
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 1, members: [member(1)] });
    expect(got).toEqual([]);
  });

  it('connection.once fires for the first matching change only', () => {
    const { ws, realtime } = setupRealtime();
    const got: string[] = [];
    realtime.connection.once('connected', (change) => got.push(`once:${change.current}`));
    realtime.connection.once((change) => got.push(`any:${change.current}`));
    ws.last.accept();
    ws.last.drop(1006);
    realtime.connect();
    expect(got.filter((g) => g.startsWith('once'))).toEqual(['once:connected']);
    expect(got.filter((g) => g.startsWith('any'))).toEqual(['any:connected']);
  });

  it('connection.close() and connection.connect() close and connect, as realtime.close() / connect()', () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    realtime.connection.close();
    expect(realtime.connection.state).toMatch(/closing|closed/);
    const sockets = ws.sockets.length;
    realtime.connection.connect();
    expect(realtime.connection.state).toBe('connecting');
    expect(ws.sockets.length).toBe(sockets + 1);
  });

  it('subscribe([names], cb) listens to each name; unsubscribe([names]) removes them', () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const got: string[] = [];
    const channel = realtime.channels.get('posts');
    channel.subscribe(['a', 'b'], (m) => got.push(m.name));
    for (const type of ['a', 'b', 'c']) ws.last.receive({ type: 'message', channel: 'posts', data: { type }, timestamp: 1 });
    channel.unsubscribe(['a']);
    for (const type of ['a', 'b']) ws.last.receive({ type: 'message', channel: 'posts', data: { type }, timestamp: 1 });
    expect(got).toEqual(['a', 'b', 'b']);
  });

  it('connection.on([states], cb) listens to each state', () => {
    const { ws, realtime } = setupRealtime();
    const got: string[] = [];
    realtime.connection.on(['connected', 'failed'], (c) => got.push(c.current));
    ws.last.accept();
    expect(got).toEqual(['connected']);
  });

  // Second review: a once-listener could not be removed by its callback; release() left the
  // registrations on the connect URL's channel, whose state is kept.
  it("connection.once('connected', cb) then connection.off(cb): cb is not called (Ably removes once listeners by callback)", () => {
    const { ws, realtime } = setupRealtime();
    let calls = 0;
    const cb = () => calls++;
    realtime.connection.once('connected', cb);
    realtime.connection.off(cb);
    ws.last.accept();
    expect(calls).toBe(0);
  });

  it("connection.once('connected', cb) then connection.off('connected', cb): cb is not called", () => {
    const { ws, realtime } = setupRealtime();
    let calls = 0;
    const cb = () => calls++;
    realtime.connection.once('connected', cb);
    realtime.connection.off('connected', cb);
    ws.last.accept();
    expect(calls).toBe(0);
  });

  it('unsubscribe through a second channels.get() object after the first detached and re-subscribed', () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const a = realtime.channels.get('x');
    let n = 0;
    a.subscribe('m', () => n++);
    a.detach();
    const b = realtime.channels.get('x');
    b.subscribe('m', () => n++);
    a.unsubscribe();
    ws.last.receive({ type: 'message', channel: 'x', data: { type: 'm' }, timestamp: 1 });
    expect(n).toBe(0);
  });

  it('channels.release(name) of the connect URL\'s channel drops its registrations (1000 subscribe/release cycles leave none)', () => {
    const { ws, realtime } = setupRealtime({ channel: 'lobby' });
    ws.last.accept();
    for (let i = 0; i < 1000; i++) {
      realtime.channels.get('lobby').subscribe('m', () => {});
      realtime.channels.get('lobby').presence.subscribe('enter', () => {});
      realtime.channels.release('lobby');
    }
    // Internal names: pulse.js renames `_` members, so this is checked on the npm build (`unit`).
    const state = (realtime.channels.get('lobby') as unknown as { _state?(): { _subs?: unknown[]; _psubs?: unknown[] } })._state?.();
    if (!state) return;
    expect({ subs: state._subs?.length ?? 0, psubs: state._psubs?.length ?? 0 }).toEqual({ subs: 0, psubs: 0 });
  });
});
