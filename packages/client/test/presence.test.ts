import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it, vi } from 'vitest';
import { flush, setupPulse, setupRealtime } from './helpers.js';

const member = (n: number, data?: unknown): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n, data });
const sync = (channel: string, count: number, members: PresenceMember[]) => ({ type: 'presence', action: 'sync', channel, count, members });
const change = (channel: string, action: 'enter' | 'leave' | 'update', m: PresenceMember) => ({ type: 'presence', action, channel, member: m });

describe('presence (Pulse face)', () => {
  it('keeps members and an exact count from sync + enter/leave/update, and notifies', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    const lists: number[] = [];
    const entered = vi.fn();
    const left = vi.fn();
    const updated = vi.fn();
    presence.subscribe((members) => lists.push(members.length));
    presence.onEnter(entered);
    presence.onLeave(left);
    presence.onUpdate(updated);
    expect(ws.last.actions).toEqual([
      { action: 'subscribe', channel: 'room' },
      { action: 'presence', channel: 'room' },
    ]);
    // 150 present, 100 listed.
    ws.last.receive(sync('room', 150, Array.from({ length: 100 }, (_, i) => member(i))));
    expect(presence.count).toBe(150);
    expect(presence.members).toHaveLength(100);
    ws.last.receive(change('room', 'enter', member(500)));
    expect(presence.count).toBe(151);
    ws.last.receive(change('room', 'leave', member(1)));
    ws.last.receive(change('room', 'leave', member(120))); // an unlisted member
    expect(presence.count).toBe(149);
    ws.last.receive(change('room', 'update', member(2, { status: 'away' })));
    expect(presence.members.find((m) => m.connectionId === 'c2')?.data).toEqual({ status: 'away' });
    expect(presence.count).toBe(149);
    expect(entered).toHaveBeenCalledWith(member(500));
    expect(left).toHaveBeenCalledTimes(2);
    expect(updated).toHaveBeenCalledTimes(1);
    expect(lists).toEqual([100, 101, 100, 100, 100]);
  });

  it('enter/update/leave send the documented actions', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    void presence.enter({ name: 'John' });
    void presence.update({ status: 'away' });
    void presence.leave();
    // ws.last.frames leaves out the pings that confirm each presence call.
    expect(ws.last.frames).toEqual([
      { action: 'subscribe', channel: 'room' },
      { action: 'presence_enter', channel: 'room', data: { name: 'John' } },
      { action: 'presence', channel: 'room' },
      { action: 'presence_update', channel: 'room', data: { status: 'away' } },
      { action: 'presence_leave', channel: 'room' },
      { action: 'unsubscribe', channel: 'room' },
    ]);
  });

  it('enters on a channel already subscribed for messages without a duplicate enter', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {});
    void room.presence.enter({ a: 1 });
    expect(ws.last.actions.filter((a) => a.action === 'presence_enter')).toHaveLength(1);
  });

  it('re-enters with the latest data and resubscribes after a reconnect', () => {
    const { ws, pulse, clock } = setupPulse();
    const room = pulse.channel('room');
    void room.presence.enter({ status: 'online' }); // before the connection opened
    ws.last.accept();
    void room.presence.update({ status: 'busy' });
    ws.last.drop(1006);
    clock.advance(1000);
    ws.last.accept();
    expect(ws.last.frames).toEqual([
      { action: 'subscribe', channel: 'room' },
      { action: 'presence_enter', channel: 'room', data: { status: 'busy' } },
      { action: 'presence', channel: 'room' },
    ]);
  });

  it('does not re-enter after leave()', () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {});
    void room.presence.enter({});
    void room.presence.leave();
    ws.last.drop(1006);
    clock.advance(1000);
    ws.last.accept();
    expect(ws.last.frames).toEqual([{ action: 'subscribe', channel: 'room' }]);
  });
});

describe('presence (Realtime face)', () => {
  it('maps members to { clientId, connectionId, data, connectedAt, action } and filters by action', async () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const presence = realtime.channels.get('posts').presence;
    presence.subscribe('update', () => {}); // keeps presence tracked after the get() calls
    const got = presence.get();
    const cb = vi.fn();
    presence.get(cb);
    ws.last.receive(sync('posts', 1, [member(1, { name: 'Alice' })]));
    const expected = [{ clientId: 'u1', connectionId: 'c1', data: { name: 'Alice' }, connectedAt: 1, action: 'present' }];
    expect(await got).toEqual(expected);
    await flush();
    expect(cb).toHaveBeenCalledWith(expected);
    expect(await presence.get()).toEqual(expected); // synced: answered at once
    const enters = vi.fn();
    const leaves = vi.fn();
    const lists = vi.fn();
    presence.subscribe('enter', enters);
    presence.subscribe('leave', leaves);
    presence.subscribe(lists);
    ws.last.receive(change('posts', 'enter', member(2, { name: 'Bob' })));
    expect(enters).toHaveBeenCalledWith({ clientId: 'u2', connectionId: 'c2', data: { name: 'Bob' }, connectedAt: 2, action: 'enter' });
    expect(lists.mock.calls.at(-1)?.[0]).toHaveLength(2);
    presence.unsubscribe('enter');
    ws.last.receive(change('posts', 'enter', member(3)));
    expect(enters).toHaveBeenCalledTimes(1);
    presence.unsubscribe(lists);
    ws.last.receive(change('posts', 'leave', member(3)));
    expect(lists).toHaveBeenCalledTimes(2);
    expect(leaves).toHaveBeenCalledTimes(1);
    presence.unsubscribe();
    expect(ws.last.actions.at(-1)).toEqual({ action: 'unsubscribe', channel: 'posts' });
  });

  it('get() waits for the sync, not for an enter that arrives first', async () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const presence = realtime.channels.get('posts').presence;
    let result: unknown[] | undefined;
    void presence.get().then((members) => (result = members));
    ws.last.receive(change('posts', 'enter', member(2)));
    await Promise.resolve();
    await Promise.resolve();
    expect(result).toBeUndefined();
    ws.last.receive(sync('posts', 2, [member(1), member(2)]));
    await Promise.resolve();
    await Promise.resolve();
    expect(result).toHaveLength(2);
  });

  it('enter/update/leave go through the engine', () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const presence = realtime.channels.get('posts').presence;
    void presence.enter({ name: 'a' });
    void presence.update({ name: 'b' });
    void presence.leave();
    expect(ws.last.frames.map((a) => a.action)).toEqual(['subscribe', 'presence_enter', 'presence', 'presence_update', 'presence_leave', 'unsubscribe']);
  });
});

// Found by an outside review: a presence.enter whose promise rejected was still applied by the
// next connection (the client kept the membership it had been refused).
describe('a rejected presence.enter is not applied later', () => {
  it('rejected by disconnect() while connecting: the next connect() does not enter', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    const entered = pulse.channel('room').presence.enter({ name: 'Ada' });
    pulse.disconnect();
    await expect(entered).rejects.toMatchObject({ code: 'disconnected' });
    pulse.connect();
    ws.last.accept();
    expect(ws.last.frames).toEqual([]);
  });

  it('refused by the service: rejects, and a reconnect does not enter it again', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const entered = pulse.channel('b').presence.enter({ x: 2 });
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'too many presence channels', channel: 'b' });
    ws.last.pong();
    await expect(entered).rejects.toMatchObject({ code: 'limit_exceeded' });
    ws.last.drop(1006);
    clock.advance(1000);
    ws.last.accept();
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([]);
  });

  it('an update after the rejected enter still counts: entered with the update\'s data', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    const first = pulse.channel('room').presence.enter({ v: 1 });
    pulse.disconnect();
    await expect(first).rejects.toMatchObject({ code: 'disconnected' });
    pulse.connect();
    void pulse.channel('room').presence.update({ v: 2 });
    ws.last.accept();
    expect(ws.last.frames).toEqual([
      { action: 'subscribe', channel: 'room' },
      { action: 'presence_enter', channel: 'room', data: { v: 2 } },
      { action: 'presence', channel: 'room' },
    ]);
  });
});

// Second review: rejecting a presence change must not lose a membership the service still has.
describe('a rejected presence change leaves the membership as it was', () => {
  it('update() rejected by a channel error frame (a publish of the same window refused): leave() must still send presence_leave', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    const entered = room.presence.enter({ v: 1 });
    ws.last.pong();
    await expect(entered).resolves.toBeUndefined();
    // A publish the service refuses, and an update it takes, in the same ping window.
    const refused = room.publish('m', { big: 1 }).catch((e) => e);
    const updated = room.presence.update({ v: 2 }).catch((e) => e);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    ws.last.pong();
    expect(((await refused) as { code: string }).code).toBe('rate_limited');
    expect(((await updated) as { code: string }).code).toBe('rate_limited'); // documented price
    await flush();
    // The service still has this connection as a member (it entered with v:1, maybe updated to v:2).
    const before = ws.last.frames.length;
    void room.presence.leave().catch(() => {});
    expect(ws.last.frames.slice(before)).toContainEqual({ action: 'presence_leave', channel: 'room' });
  });

  it('enter() rejected only because a publish of the same channel was refused in the same window: a leave follows, so no member is left behind', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {});
    const refused = room.publish('m', { n: 1 }).catch((e) => e);
    const entered = room.presence.enter({ v: 1 }).catch((e) => e);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    ws.last.pong();
    await refused;
    expect(((await entered) as { code: string }).code).toBe('rate_limited');
    await flush();
    // The service applied the presence_enter frame (only the publish was refused).
    expect(ws.last.frames).toContainEqual({ action: 'presence_enter', channel: 'room', data: { v: 1 } });
    // Rejected means not entered: the client says so to the service at once (a leave after the
    // enter), and a later leave() or reconnect has nothing to undo.
    const enterAt = ws.last.frames.findIndex((f) => f.action === 'presence_enter');
    expect(ws.last.frames.slice(enterAt)).toContainEqual({ action: 'presence_leave', channel: 'room' });
    // That leave is checked by the pong of a ping of its own; until the service answered it, a
    // leave() sends one more and resolves with its pong (the first ping was answered above).
    const left = room.presence.leave();
    for (let answered = 1; answered < ws.last.actions.filter((f) => f.action === 'ping').length; answered++) {
      ws.last.pong();
      await flush();
    }
    await expect(left).resolves.toBeUndefined();
  });

  it('update() rejected by the TTL after a successful enter: the next connection enters again (the client was entered)', async () => {
    const { ws, pulse, clock } = setupPulse({ connectionStateTtlMs: 5_000 });
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    const entered = room.presence.enter({ v: 1 });
    ws.last.pong();
    await entered;
    ws.last.drop(1006);
    const updated = room.presence.update({ v: 2 }).catch((e) => e);
    for (let i = 0; i < 7; i++) {
      clock.advance(1_000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    expect(((await updated) as { code: string }).code).toBe('timeout');
    await flush();
    clock.advance(30_000);
    ws.last.accept();
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter').length).toBe(1);
  });
});

// Third review: with several changes in flight, a rejection goes back to the last confirmed
// membership (not to another rejected change), and the service is told it again.
describe('rejected presence changes in flight together', () => {
  const code = (e: unknown) => (e as { code?: string })?.code ?? e;

  it('enter A and update B refused in the same window: not entered (no re-enter later, a leave is sent)', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {});
    const refused = room.publish('m', { n: 1 }).catch((e) => e);
    const entered = room.presence.enter({ v: 'A' }).catch((e) => e);
    const updated = room.presence.update({ v: 'B' }).catch((e) => e);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    ws.last.pong();
    await refused;
    expect(code(await entered)).toBe('rate_limited');
    expect(code(await updated)).toBe('rate_limited');
    await flush();
    const first = ws.last;
    // The enter was rejected: a leave follows on this connection.
    const enterAt = first.frames.findIndex((f) => f.action === 'presence_enter');
    expect(first.frames.slice(enterAt)).toContainEqual({ action: 'presence_leave', channel: 'room' });
    // And a later connection does not enter.
    first.drop(1006);
    clock.advance(1_000);
    ws.last.accept();
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([]);
  });

  it('enter A and update B queued while disconnected, both rejected by the TTL: the next connection enters nobody', async () => {
    const { ws, pulse, clock } = setupPulse({ connectionStateTtlMs: 5_000 });
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {});
    ws.last.drop(1006);
    const entered = room.presence.enter({ v: 'A' }).catch((e) => e);
    const updated = room.presence.update({ v: 'B' }).catch((e) => e);
    for (let i = 0; i < 7; i++) {
      clock.advance(1_000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    expect(code(await entered)).toBe('timeout');
    expect(code(await updated)).toBe('timeout');
    await flush();
    clock.advance(60_000);
    ws.last.accept();
    expect(pulse.state).toBe('connected');
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([]);
  });

  it('enter A confirmed, then update B and update C refused together: the membership is A (not the refused B)', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    const entered = room.presence.enter({ v: 'A' });
    ws.last.pong();
    await entered;
    const b = room.presence.update({ v: 'B' }).catch((e) => e);
    const c = room.presence.update({ v: 'C' }).catch((e) => e);
    ws.last.receive({ type: 'error', code: 'invalid_argument', error: 'no', channel: 'room' });
    ws.last.pong();
    expect(code(await b)).toBe('invalid_argument');
    expect(code(await c)).toBe('invalid_argument');
    await flush();
    ws.last.drop(1006);
    clock.advance(1_000);
    ws.last.accept();
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([{ action: 'presence_enter', channel: 'room', data: { v: 'A' } }]);
  });

  it('update B refused in the same window as a refused publish: the service is told the previous data again (else it shows B while the client says A)', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    const entered = room.presence.enter({ v: 'A' });
    ws.last.pong();
    await entered;
    const refused = room.publish('m', { n: 1 }).catch((e) => e);
    const updated = room.presence.update({ v: 'B' }).catch((e) => e);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    ws.last.pong();
    await refused;
    expect(code(await updated)).toBe('rate_limited');
    await flush();
    const presenceFrames = ws.last.frames.filter((f) => String(f.action).startsWith('presence_'));
    // What the service last heard on this connection is the membership the client keeps.
    expect(presenceFrames[presenceFrames.length - 1]).toEqual({ action: 'presence_update', channel: 'room', data: { v: 'A' } });
  });
});
