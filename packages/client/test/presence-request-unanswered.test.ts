// Reproductions from a third outside review (of c8d4641): each failed there. A tracked list whose
// request got no sync is asked for again, with backoff, and a dropped request is an error event;
// follower tabs take a suspended leader's kept list as known, and stop when a listener disconnects.
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, setupPulse } from './helpers.js';
import { LOCK, setup as shareSetup } from './share-tabs.js';

const member = (n: number, data?: unknown): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n, data });
const sync = (members: PresenceMember[], channel = 'room') => ({ type: 'presence', action: 'sync', channel, count: members.length, members });
const count = (ws: { last: { actions: { action: string }[] } }, action: string) => ws.last.actions.filter((a) => a.action === action).length;

describe('a request for tracking alone that gets no sync', () => {
  it('refused (rate_limited): asked again with backoff, so listeners hear of the room once a sync comes', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.autoPong = true;
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    const events: string[] = [];
    presence.onEnter((m) => events.push(`enter ${m.connectionId}`));
    presence.subscribe((l) => events.push(`members ${l.length}`));
    await flush();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow', channel: 'room' });
    await flush();
    for (let i = 0; i < 120; i++) {
      clock.advance(1_000); // two minutes, heartbeats answered
      await flush();
    }
    if (count(ws, 'presence') > 1) ws.last.receive(sync([]));
    ws.last.receive({ type: 'presence', action: 'enter', channel: 'room', member: member(2) });
    await flush();
    expect(count(ws, 'presence')).toBeGreaterThan(1);
    events.splice(0, events.indexOf('members 0') + 1);
    expect(events).toEqual(['enter c2', 'members 1']);
  });

  it('answered without a sync (dropped): an invalid_response error event, and asked again', async () => {
    const { ws, pulse, clock } = setupPulse();
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.autoPong = true;
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    const lists: number[] = [];
    presence.subscribe((l) => lists.push(l.length));
    await flush(); // request + ping; the pong comes, no sync (the service dropped the request)
    for (let i = 0; i < 300; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(count(ws, 'presence')).toBeGreaterThan(2);
    expect(count(ws, 'presence')).toBeLessThan(20); // backoff: 1, 2, 5, 10, then every 30 s
    expect(new Set(errors)).toEqual(new Set(['invalid_response']));
    ws.last.receive(sync([member(1)]));
    ws.last.receive({ type: 'presence', action: 'enter', channel: 'room', member: member(2) });
    expect(lists).toEqual([1, 2]);
    expect(presence.members).toHaveLength(2);
  });
});

describe('shareConnection: a listener that disconnects during a new leader\'s list', () => {
  it('its tab emits no members event after disconnect() (as the engine)', async () => {
    const { ws, tab, settle, browser } = shareSetup();
    const a = tab();
    const b = tab();
    const c = tab();
    await settle();
    ws.last.accept();
    await settle();
    const events: Record<string, string[]> = { b: [], c: [] };
    for (const [name, t] of [['b', b], ['c', c]] as const) {
      const p = t.pulse.channel('room').presence;
      p.onLeave((m) => {
        events[name]!.push(`leave ${m.connectionId}`);
        t.pulse.disconnect();
      });
      p.subscribe((list) => events[name]!.push(`members ${list.length} (state ${t.pulse.state})`));
    }
    await settle();
    ws.last.receive(sync([member(1), member(2)]));
    await settle();
    const first = ws.last;
    a.crash();
    first.drop(1006);
    await settle();
    const follower = browser.holder(LOCK)?.env === b.env ? 'c' : 'b';
    ws.last.accept();
    await settle();
    ws.last.receive(sync([member(2)]));
    await settle();
    expect(events[follower]).toEqual(['members 2 (state connected)', 'leave c1']);
  });
});

describe('shareConnection: a tab that starts watching presence while the leader is suspended', () => {
  it('gets the kept list, so the events of the resync turn its list into the new one (no leave of a member it never listed)', async () => {
    const { ws, tab, settle, clock } = shareSetup();
    const a = tab(undefined, undefined, { connectionStateTtlMs: 5_000 });
    const b = tab(undefined, undefined, { connectionStateTtlMs: 5_000 });
    await settle();
    ws.last.accept();
    await settle();
    a.pulse.channel('room').presence.subscribe(() => {}); // the leader tab watches
    await settle();
    ws.last.receive(sync([member(1), member(2)]));
    await settle();
    ws.autoPong = false;
    ws.last.drop(1006);
    for (let i = 0; i < 20 && a.pulse.state !== 'connecting' ; i++) {
      clock.advance(1_000);
      await settle();
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    for (let i = 0; i < 20; i++) {
      clock.advance(1_000);
      await settle();
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    expect(b.errors.map((e) => (e as { code: string }).code)).toContain('timeout');
    const presence = b.pulse.channel('room').presence;
    const events: string[] = [];
    presence.onEnter((m) => events.push(`enter ${m.connectionId}`));
    presence.onLeave((m) => events.push(`leave ${m.connectionId}`));
    await settle();
    const before = presence.members.map((m) => m.connectionId);
    clock.advance(30_000);
    await settle();
    ws.autoPong = true;
    ws.last.accept();
    await settle();
    ws.last.receive(sync([member(2), member(3)]));
    await settle();
    const after = presence.members.map((m) => m.connectionId);
    // Whatever the list before was, the events must turn it into the list after.
    const rebuilt = new Set(before);
    for (const e of events) {
      const [kind, id] = e.split(' ');
      if (kind === 'enter') rebuilt.add(id!);
      else rebuilt.delete(id!);
    }
    expect([...rebuilt].sort()).toEqual(after.sort());
  });
});
