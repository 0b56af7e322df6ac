// Reproductions from an outside review of the presence read deadline and the resync events
// (each failed on 18d16cd). A read's deadline is its request's (queue.ts `_ask`): it holds no
// publish slot, does not survive its connection, and a refusal of another frame does not beat
// the sync that answers it.
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';
import { LOCK, setup as shareSetup } from './share-tabs.js';

const member = (n: number, data?: unknown): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n, data });
const sync = (members: PresenceMember[], channel = 'room') => ({ type: 'presence', action: 'sync', channel, count: members.length, members });

describe('presence reads hold no publish slot', () => {
  it('a resolved read whose pong was lost does not push a publish out of the queue', async () => {
    const { ws, pulse } = setupPulse({ maxQueueSize: 1 });
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    const read = room.presence.get();
    ws.last.receive(sync([member(1)]));
    expect(await settledAs(read)).toBe('resolved');
    const published = room.publish('m', { a: 1 });
    ws.last.drop(1006);
    expect(await settledAs(published)).toBe('pending');
  });

  it('reads while offline do not fill the queue', async () => {
    const { ws, pulse, clock } = setupPulse({ maxQueueSize: 2 });
    pulse.on('error', () => {});
    ws.last.accept();
    ws.last.drop(1006);
    clock.advance(10);
    void pulse.channel('a').presence.get().catch(() => {});
    void pulse.channel('b').presence.get().catch(() => {});
    expect(await settledAs(pulse.channel('room').publish('m', { a: 1 }))).toBe('pending');
  });

  it('disconnect() after a read resolved, before its pong: no error event (nothing the app asked for failed)', async () => {
    const { ws, pulse } = setupPulse();
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.last.accept();
    const read = pulse.channel('room').presence.get();
    ws.last.receive(sync([member(1)]));
    expect(await settledAs(read)).toBe('resolved');
    pulse.disconnect();
    await flush();
    expect(errors).toEqual([]);
  });
});

describe('one presence request at a time', () => {
  it('subscribe, then get() while its request is in flight: one request, one sync, one list', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    const lists: number[] = [];
    presence.subscribe((list) => lists.push(list.length));
    const read = presence.get();
    for (const _ of ws.last.frames.filter((a) => a.action === 'presence')) ws.last.receive(sync([member(1)]));
    await read;
    expect(ws.last.frames.filter((a) => a.action === 'presence')).toHaveLength(1);
    expect(lists).toEqual([1]);
  });

  it('the read still gets a ping after the request in flight: refused, it rejects at that pong', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    presence.subscribe(() => {});
    const read = presence.get();
    await flush(); // the request's ping goes a microtask later
    expect(ws.last.actions.at(-1)).toEqual({ action: 'ping' });
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'dropped' });
    ws.last.pong();
    expect(await settledAs(read)).toBe('rate_limited');
  });
});

describe('a refusal of another frame does not beat the sync that answers a read', () => {
  it('enter() refused (limit_exceeded), the sync comes, then the pong: the enter rejects, the read resolves', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    const entered = presence.enter({ a: 1 });
    const read = presence.get();
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'x', channel: 'room' });
    await flush();
    ws.last.receive(sync([member(2)]));
    ws.last.pong();
    expect(await settledAs(entered)).toBe('limit_exceeded');
    expect(await settledAs(read)).toBe('resolved');
  });
});

describe('resync events across a suspension and a leader handover', () => {
  it('suspended (connectionStateTtlMs), then connected again: the sync gives the leave and the enter of the outage', async () => {
    const { ws, pulse, clock } = setupPulse({ connectionStateTtlMs: 5_000 });
    const codes: string[] = [];
    pulse.on('error', (e) => codes.push(e.code));
    ws.autoPong = true;
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    const events: string[] = [];
    presence.onLeave((m) => events.push(`leave ${m.connectionId}`));
    presence.onEnter((m) => events.push(`enter ${m.connectionId}`));
    ws.last.receive(sync([member(1), member(2)]));
    ws.last.drop(1006);
    let suspended = false;
    for (let i = 0; i < 40 && !(suspended && pulse.state === 'connected'); i++) {
      clock.advance(1_000);
      suspended ||= codes.includes('timeout');
      if (suspended && ws.last.readyState === 0) ws.last.accept();
      else if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    expect(suspended).toBe(true);
    expect(pulse.state).toBe('connected');
    ws.last.receive(sync([member(2), member(3)]));
    expect(events).toEqual(['leave c1', 'enter c3']);
  });

  it('disconnect() forgets the list (members read empty, as Ably clears its map on detach), so the next connection starts a new one', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    const events: string[] = [];
    presence.onLeave((m) => events.push(`leave ${m.connectionId}`));
    ws.last.receive(sync([member(1), member(2)]));
    pulse.disconnect();
    await flush();
    expect(presence.members).toEqual([]);
    pulse.connect();
    ws.last.accept();
    ws.last.receive(sync([member(2)]));
    expect(events).toEqual([]);
  });

  it('shareConnection: members gone during a leader handover leave in the follower tab', async () => {
    const { ws, tab, settle, browser } = shareSetup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const events: string[] = [];
    b.pulse.channel('room').presence.onLeave((m) => events.push(`leave ${m.connectionId}`));
    await settle();
    ws.last.receive(sync([member(1), member(2)]));
    await settle();
    const first = ws.last;
    a.crash();
    first.drop(1006);
    await settle();
    expect(browser.holder(LOCK)?.env).toBe(b.env);
    expect(ws.last).not.toBe(first);
    ws.last.accept();
    await settle();
    ws.last.receive(sync([member(2)]));
    await settle();
    expect(events).toEqual(['leave c1']);
  });

  it('shareConnection, same leader reconnecting: the follower gets each leave once', async () => {
    const { ws, tab, settle, clock } = shareSetup();
    tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const events: string[] = [];
    b.pulse.channel('room').presence.onLeave((m) => events.push(`leave ${m.connectionId}`));
    await settle();
    ws.last.receive(sync([member(1), member(2)]));
    await settle();
    ws.last.drop(1006);
    clock.advance(1_000);
    await settle();
    ws.last.accept();
    await settle();
    ws.last.receive(sync([member(2)]));
    await settle();
    expect(events).toEqual(['leave c1']);
  });
});

describe('resync events: what is news', () => {
  it('data whose keys come back in another order is not an update', () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    const updates: string[] = [];
    pulse.channel('room').presence.onUpdate((m) => updates.push(m.connectionId));
    ws.last.receive(sync([member(1, { name: 'Ada', status: 'on', tags: [{ a: 1, b: 2 }] })]));
    ws.last.drop(1006);
    clock.advance(1_000);
    ws.last.accept();
    ws.last.receive(sync([member(1, { tags: [{ b: 2, a: 1 }], status: 'on', name: 'Ada' })]));
    expect(updates).toEqual([]);
    ws.last.receive(sync([member(1, { tags: [{ b: 2, a: 3 }], status: 'on', name: 'Ada' })]));
    expect(updates).toEqual(['c1']);
  });

  it('a listener that calls disconnect() during the events stops the rest', () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    const events: string[] = [];
    pulse.channel('room').presence.onLeave((m) => {
      events.push(`leave ${m.connectionId}`);
      pulse.disconnect();
    });
    ws.last.receive(sync([member(1), member(2), member(3)]));
    ws.last.drop(1006);
    clock.advance(1_000);
    ws.last.accept();
    ws.last.receive(sync([]));
    expect(events).toEqual(['leave c1']);
  });
});
