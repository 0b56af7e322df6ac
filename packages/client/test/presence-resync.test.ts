// After a reconnect the service sends a fresh sync. Members who left or entered during the outage
// used to be swapped in silently: an app that keeps its list from onEnter/onLeave (the tutorial's
// pattern) kept ghosts and missed newcomers. A sync that follows an earlier one now gives the
// events a live frame would have given, and only those (no spurious leave and enter of members
// still present: USERS.md, supabase #41175).
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { setupPulse, setupRealtime } from './helpers.js';

const member = (n: number, data?: unknown): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n, data });
const sync = (count: number, members: PresenceMember[]) => ({ type: 'presence', action: 'sync', channel: 'room', count, members });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => member(from + i, { n: from + i }));

/** A Pulse client tracking presence of `room`, every event recorded as `<event> <connectionId>`. */
function tracked() {
  const setup = setupPulse();
  const { ws, pulse } = setup;
  pulse.on('error', () => {});
  ws.last.accept();
  const events: string[] = [];
  const left: PresenceMember[] = [];
  const presence = pulse.channel('room').presence;
  presence.onEnter((m) => events.push(`enter ${m.connectionId}`));
  presence.onLeave((m) => (events.push(`leave ${m.connectionId}`), left.push(m)));
  presence.onUpdate((m) => events.push(`update ${m.connectionId}`));
  presence.subscribe((list) => events.push(`members ${list.length}`));
  const reconnect = () => {
    ws.last.drop(1006);
    setup.clock.advance(1000);
    ws.last.accept();
  };
  return { ...setup, events, left, presence, reconnect };
}

describe('a sync after a reconnect gives the changes of the outage as events', () => {
  it('a member who left meanwhile gets onLeave with the data the client held; a newcomer gets onEnter', () => {
    const { ws, events, left, reconnect } = tracked();
    ws.last.receive(sync(2, [member(1, { name: 'Ada' }), member(2)]));
    events.length = 0;
    reconnect();
    ws.last.receive(sync(2, [member(2), member(3)]));
    expect(events).toEqual(['leave c1', 'enter c3', 'members 2']);
    expect(left[0]).toEqual(member(1, { name: 'Ada' }));
  });

  it('a member whose data changed meanwhile gets onUpdate', () => {
    const { ws, events, reconnect } = tracked();
    ws.last.receive(sync(1, [member(1, { status: 'online' })]));
    events.length = 0;
    reconnect();
    ws.last.receive(sync(1, [member(1, { status: 'away' })]));
    expect(events).toEqual(['update c1', 'members 1']);
  });

  it('the same members again: no event but the list (no spurious leave and enter)', () => {
    const { ws, events, reconnect } = tracked();
    ws.last.receive(sync(2, [member(1, { a: [1, 2] }), member(2)]));
    events.length = 0;
    reconnect();
    ws.last.receive(sync(2, [member(1, { a: [1, 2] }), member(2)]));
    expect(events).toEqual(['members 2']);
  });

  it('everyone left during the outage: the new sync is empty, each gets onLeave', () => {
    const { ws, events, presence, reconnect } = tracked();
    ws.last.receive(sync(2, [member(1), member(2)]));
    events.length = 0;
    reconnect();
    ws.last.receive(sync(0, []));
    expect(events).toEqual(['leave c1', 'leave c2', 'members 0']);
    expect(presence.count).toBe(0);
  });

  it('nobody was present before the outage: a member present now gets onEnter', () => {
    const { ws, events, reconnect } = tracked();
    ws.last.receive(sync(0, []));
    events.length = 0;
    reconnect();
    ws.last.receive(sync(1, [member(7)]));
    expect(events).toEqual(['enter c7', 'members 1']);
  });

  it('the first sync gives the list only (members present when tracking starts did not enter)', () => {
    const { ws, events } = tracked();
    ws.last.receive(sync(2, [member(1), member(2)]));
    expect(events).toEqual(['members 2']);
  });

  it('over 100 members: a member missing from a partial list may still be present, so it gets no onLeave; one missing from a partial old list gets no onEnter', () => {
    const { ws, events, reconnect } = tracked();
    ws.last.receive(sync(150, range(0, 100)));
    events.length = 0;
    reconnect();
    // 150 still present, a different 100 listed.
    ws.last.receive(sync(150, range(50, 150)));
    expect(events).toEqual(['members 100']);
  });

  it('a complete new list after a partial old one: who is not in it left', () => {
    const { ws, events, reconnect } = tracked();
    ws.last.receive(sync(101, range(0, 100)));
    events.length = 0;
    reconnect();
    ws.last.receive(sync(2, [member(0, { n: 0 }), member(1, { n: 1 })]));
    expect(events.filter((e) => e.startsWith('leave'))).toHaveLength(98);
    expect(events.filter((e) => !e.startsWith('leave'))).toEqual(['members 2']);
  });

  it('tracking stopped in between: the next sync is a first one again (no events)', () => {
    const { ws, pulse } = tracked();
    ws.last.receive(sync(1, [member(1)]));
    const other = pulse.channel('other').presence;
    const events: string[] = [];
    const stop = other.onLeave((m) => events.push(`leave ${m.connectionId}`));
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'other', count: 1, members: [member(9)] });
    stop();
    const again = other.onLeave((m) => events.push(`leave ${m.connectionId}`));
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'other', count: 0, members: [] });
    again();
    expect(events).toEqual([]);
  });

  it('Pulse.Realtime: presence.subscribe("leave") / ("enter") get them too, as Ably members', () => {
    const { ws, realtime, clock } = setupRealtime();
    realtime.on('error', () => {});
    ws.last.accept();
    const seen: string[] = [];
    const presence = realtime.channels.get('room').presence;
    presence.subscribe('leave', (m) => seen.push(`leave ${m.clientId} ${JSON.stringify(m.data)}`));
    presence.subscribe('enter', (m) => seen.push(`enter ${m.clientId}`));
    ws.last.receive(sync(1, [member(1, { name: 'Ada' })]));
    ws.last.drop(1006);
    clock.advance(1000);
    ws.last.accept();
    ws.last.receive(sync(1, [member(2)]));
    expect(seen).toEqual(['leave u1 {"name":"Ada"}', 'enter u2']);
  });
});
