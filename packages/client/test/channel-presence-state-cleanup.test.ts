// Review findings on channel and presence state: stale presence after unsubscribe/detach/close,
// presence changes without a sync, presence.get() across detach/close, the `*` event name,
// Realtime registrations kept after detach.
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { isPulseError } from '../src/index.js';
import { flush, setupPulse, setupRealtime } from './helpers.js';

const member = (n: number): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}` });
const sync = (channel: string, members: PresenceMember[]) => ({ type: 'presence', action: 'sync', channel, count: members.length, members });
const change = (channel: string, action: 'enter' | 'leave', m: PresenceMember) => ({ type: 'presence', action, channel, member: m });

describe('presence state (items 4, 5, 6)', () => {
  it('unsubscribe() clears members and count; reuse for messages only does not show the old set', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const room = pulse.channel('room');
    room.presence.subscribe(() => {});
    ws.last.receive(sync('room', [member(1), member(2), member(3)]));
    expect(room.presence.count).toBe(3);
    room.unsubscribe();
    expect(room.presence.members).toEqual([]);
    expect(room.presence.count).toBe(0);
    room.subscribe('m', () => {});
    expect(room.presence.count).toBe(0);
  });

  it('disconnect() clears presence state', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const room = pulse.channel('room');
    room.presence.subscribe(() => {});
    ws.last.receive(sync('room', [member(1)]));
    pulse.disconnect();
    expect(room.presence.members).toEqual([]);
    expect(room.presence.count).toBe(0);
  });

  it('enter/leave frames before any sync are ignored (a channel with message listeners only)', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('chat', () => {});
    ws.last.receive(change('room', 'enter', member(9)));
    expect(room.presence.count).toBe(0);
    expect(room.presence.members).toEqual([]);
    ws.last.receive(change('room', 'leave', member(1)));
    expect(room.presence.count).toBe(0);
  });

  it('Realtime: presence.get() after detach() waits for a fresh sync (and re-subscribes)', async () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const posts = realtime.channels.get('posts');
    posts.presence.subscribe(() => {});
    ws.last.receive(sync('posts', [member(1), member(2)]));
    posts.detach();
    let answered: string[] | undefined;
    const pending = posts.presence.get().then((m) => (answered = m.map((x) => x.clientId)));
    await flush();
    expect(answered).toBeUndefined();
    expect(ws.last.frames.slice(-2)).toEqual([
      { action: 'subscribe', channel: 'posts' },
      { action: 'presence', channel: 'posts' },
    ]);
    ws.last.receive(sync('posts', [member(1)]));
    await pending;
    expect(answered).toEqual(['u1']);
  });

  it('Realtime: a pending presence.get() rejects with disconnected on detach() and on close()', async () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const a = realtime.channels.get('a').presence.get();
    const b = realtime.channels.get('b').presence.get();
    const seen = vi.fn();
    void realtime.channels.get('c').presence.get(seen);
    realtime.channels.get('a').detach();
    realtime.close();
    const results = await Promise.allSettled([a, b]);
    expect(results.map((r) => r.status === 'rejected' && isPulseError(r.reason) && r.reason.code)).toEqual(['disconnected', 'disconnected']);
    await flush();
    expect(seen).not.toHaveBeenCalled();
  });
});

describe("the '*' event name (item 7)", () => {
  it("an event named '*' is an ordinary event: catch-all listeners get it once", () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const all = vi.fn();
    const star = vi.fn();
    const c = pulse.channel('c');
    c.subscribe(all);
    c.subscribe('*', star);
    ws.last.receive({ type: 'message', channel: 'c', data: { type: 'other' }, timestamp: 1 });
    expect(star).not.toHaveBeenCalled();
    ws.last.receive({ type: 'message', channel: 'c', data: { type: '*' }, timestamp: 1 });
    expect(all).toHaveBeenCalledTimes(2);
    expect(star).toHaveBeenCalledTimes(1);
  });

  it("Realtime: subscribe('*', cb) listens to the event named '*' only, unsubscribe('*') removes it", () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const c = realtime.channels.get('c');
    const star = vi.fn();
    const all = vi.fn();
    c.subscribe('*', star);
    c.subscribe(all);
    ws.last.receive({ type: 'message', channel: 'c', data: { type: 'x' }, timestamp: 1 });
    expect(star).not.toHaveBeenCalled();
    c.unsubscribe('*');
    ws.last.receive({ type: 'message', channel: 'c', data: { type: '*' }, timestamp: 1 });
    expect(star).not.toHaveBeenCalled();
    expect(all).toHaveBeenCalledTimes(2);
  });
});

describe('Realtime detach() registrations (item 8)', () => {
  it('detach() drops its references to the listeners', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const c = realtime.channels.get('c');
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 3; i++) {
      const big = { payload: new Array(1000).fill(i) };
      refs.push(new WeakRef(big));
      c.subscribe('x', () => void big);
      c.presence.subscribe(() => void big);
      c.detach();
    }
    // WeakRef targets stay alive until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(refs.map((r) => r.deref() === undefined)).toEqual([true, true, true]);
  });
});
