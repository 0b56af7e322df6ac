// Reproductions from a second outside review (of 185dd8f, the presence request barrier): each
// failed there. A channel's presence request is its own (a request of an earlier tracking run
// settles nothing), it gets its ping at once, and it is forgotten when tracking stops; a
// follower tab keeps its list through a `gone` and forgets it on failed, as the engine does.
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';
import { setup as shareSetup } from './share-tabs.js';

const member = (n: number, data?: unknown): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n, data });
const sync = (members: PresenceMember[], channel = 'room') => ({ type: 'presence', action: 'sync', channel, count: members.length, members });
const count = (ws: { last: { actions: { action: string }[] } }, action: string) => ws.last.actions.filter((a) => a.action === action).length;

describe('only the current request of a channel counts', () => {
  it('tracking stops and starts again while the first request is in flight: its pong does not reject the read waiting on the second', async () => {
    const { ws, pulse } = setupPulse();
    const codes: string[] = [];
    pulse.on('error', (e) => codes.push(e.code));
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe(() => {}); // keeps the channel in use
    const off = room.presence.subscribe(() => {}); // request 1
    void room.publish('m', { a: 1 }); // ping 1, after request 1
    ws.last.receive(sync([member(1)])); // answers request 1
    off(); // tracking stops: the list is forgotten
    const read = room.presence.get(); // request 2
    await flush();
    expect(count(ws, 'presence')).toBe(2);
    ws.last.pong(); // ping 1: request 1's pong
    ws.last.receive(sync([member(1)])); // answers request 2
    ws.last.pong();
    expect(await settledAs(read)).toBe('resolved');
    expect(codes).toEqual([]);
  });

  it('and a read then sends no third request while the second is in flight', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe(() => {});
    const off = room.presence.subscribe(() => {});
    void room.publish('m', { a: 1 });
    ws.last.receive(sync([member(1)]));
    off();
    room.presence.subscribe(() => {}); // request 2, in flight
    ws.last.pong(); // ping 1 settles request 1 only
    void room.presence.get().catch(() => {});
    expect(count(ws, 'presence')).toBe(2);
  });
});

describe('pings of requests', () => {
  it('ten reads while one request is in flight: no ping each', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    presence.subscribe(() => {});
    await flush();
    const before = count(ws, 'ping');
    const reads = Array.from({ length: 10 }, () => presence.get());
    await flush();
    expect(count(ws, 'ping') - before).toBe(0);
    ws.last.receive(sync([member(1)]));
    ws.last.pong();
    await Promise.all(reads);
  });

  it('a request for tracking alone gets its ping too: refused, the next read asks again instead of taking that old refusal', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe(() => {});
    room.presence.onEnter(() => {}); // request 1
    await flush();
    expect(ws.last.actions.at(-1)).toEqual({ action: 'ping' });
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'x', channel: 'room' });
    ws.last.pong();
    const read = room.presence.get();
    await flush();
    expect(count(ws, 'presence')).toBe(2);
    ws.last.receive(sync([member(1)]));
    ws.last.pong();
    expect(await settledAs(read)).toBe('resolved');
  });
});

describe('shareConnection: tab lists follow the engine', () => {
  it('failed (4001, nothing refreshes the token), connect(): the first sync gives no enter in any tab (as without sharing)', async () => {
    const { ws, tab, settle } = shareSetup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const events: string[] = [];
    b.pulse.channel('room').presence.onEnter((m) => events.push(`b enter ${m.connectionId}`));
    a.pulse.channel('room').presence.onEnter((m) => events.push(`a enter ${m.connectionId}`));
    await settle();
    ws.last.receive(sync([member(1), member(2)]));
    await settle();
    ws.last.drop(4001);
    await settle();
    expect(b.pulse.state).toBe('failed');
    b.pulse.connect();
    await settle();
    ws.last.accept();
    await settle();
    ws.last.receive(sync([member(1), member(2)]));
    await settle();
    expect(events).toEqual([]);
  });

  it('a new leader whose first presence request is refused: the follower keeps its list, so the later sync gives the leave of the handover, not enters', async () => {
    const { ws, tab, settle } = shareSetup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const events: string[] = [];
    const presence = b.pulse.channel('room').presence;
    presence.onEnter((m) => events.push(`enter ${m.connectionId}`));
    presence.onLeave((m) => events.push(`leave ${m.connectionId}`));
    await settle();
    ws.last.receive(sync([member(1), member(2)]));
    await settle();
    const first = ws.last;
    a.crash();
    first.drop(1006);
    await settle();
    ws.autoPong = false;
    ws.last.accept();
    await settle();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    ws.last.pong();
    await settle();
    expect(presence.members.map((m) => m.connectionId)).toEqual(['c1', 'c2']);
    const read = presence.get();
    await settle();
    ws.last.receive(sync([member(2)]));
    ws.last.pong();
    await settle();
    await read;
    expect(events).toEqual(['leave c1']);
  });

  it('same, with the read made after the refused request was answered (its gone wiped the tab list)', async () => {
    const { ws, tab, settle } = shareSetup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const events: string[] = [];
    const presence = b.pulse.channel('room').presence;
    presence.onEnter((m) => events.push(`enter ${m.connectionId}`));
    presence.onLeave((m) => events.push(`leave ${m.connectionId}`));
    await settle();
    ws.last.receive(sync([member(1), member(2)]));
    await settle();
    const first = ws.last;
    a.crash();
    first.drop(1006);
    await settle();
    ws.last.accept();
    await settle();
    ws.autoPong = false;
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    const read1 = presence.get();
    await settle();
    ws.last.pong();
    await settle();
    await read1.catch(() => {});
    const read2 = presence.get();
    await settle();
    ws.last.receive(sync([member(2)]));
    ws.last.pong();
    await settle();
    await read2;
    expect(events).toEqual(['leave c1']);
  });
});
