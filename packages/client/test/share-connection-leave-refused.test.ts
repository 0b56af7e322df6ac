// An outside review found: with shareConnection, a tab's presence.leave() the service refused left a
// ghost member (the leader's one resend refused too), and the tab's retried leave() resolved with nothing sent.
// Attacks 7a6f3e7 with shareConnection: a tab's presence.leave() the service refused. Without
// sharing (presence-leave-refused.test.ts) the client goes back to the confirmed membership, so a
// retried leave() sends a presence_leave and resolves only with its pong. In a shared tab the
// tab forgets its membership before the leader answers and never goes back to it; the leader
// sends the leave once more without waiting for anything. A second refusal (same rate limit)
// leaves the service with a ghost member, and the app's retried leave() resolves at once, with
// nothing sent: a promise resolved though the service took nothing.
import { describe, expect, it } from 'vitest';
import { codeOf, LOCK, outcome, setup } from './share-tabs.js';

describe('shareConnection: a refused leave() of a tab', () => {
  it('a retried leave() reaches the service and resolves only with its pong', async () => {
    const { ws, tab, settle } = setup();
    tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const room = b.pulse.channel('room');
    room.subscribe('m', () => {});
    await room.presence.enter({ name: 'Ada' });
    await settle();
    ws.autoPong = false;
    const left = room.presence.leave().then(() => 'resolved', (e) => codeOf(e));
    await settle();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    await settle();
    expect(await left).toBe('rate_limited');
    // The leader's own resend of the leave is refused too (the same rate limit).
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    await settle();
    const leavesBefore = ws.last.frames.filter((f) => f.action === 'presence_leave').length;

    // The app retries, as it would for any rejected call (no pong comes: autoPong is off).
    let retried: unknown = 'pending';
    room.presence.leave().then(() => (retried = 'resolved'), (e) => (retried = codeOf(e)));
    await settle();
    const leavesAfter = ws.last.frames.filter((f) => f.action === 'presence_leave').length;
    // Actual: the retry resolves at once and sends nothing.
    expect({ retried, sentAgain: leavesAfter > leavesBefore }).toEqual({ retried: 'pending', sentAgain: true });
  });
});

// What else the fix owes a tab, as presence-leave-refused*.test.ts asks of a client without
// sharing (docs/connection-states.md point 4): the membership goes back, a leave() meanwhile is
// that leave, nothing loops under a rate limit, and nothing goes back once the tab closed (bye),
// was released, entered again or lost the connection meanwhile.
type Tabs = ReturnType<typeof setup>;
type Tab = ReturnType<Tabs['tab']>;

const REFUSAL = { type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' } as const;

/** Tab `a` leads, `b` follows; `who` entered `room` as Ada, confirmed, and pongs stop. */
async function entered(who: 'a' | 'b' = 'b') {
  const tabs = setup();
  const { ws, tab, settle } = tabs;
  const a = tab();
  const b = tab();
  await settle();
  ws.last.accept();
  await settle();
  const t: Tab = who === 'a' ? a : b;
  const room = t.pulse.channel('room');
  room.subscribe('m', () => {});
  await room.presence.enter({ name: 'Ada' });
  await settle();
  ws.autoPong = false;
  /** Presence changes sent on the current connection (not `presence` requests). */
  const changes = () => ws.last.frames.filter((f) => f.action === 'presence_enter' || f.action === 'presence_update' || f.action === 'presence_leave');
  /** The connection drops; the next one opens (pongs answered again). */
  const reconnect = async () => {
    ws.autoPong = true;
    const count = ws.sockets.length;
    ws.last.drop(1006);
    for (let i = 0; i < 60 && ws.sockets.length === count; i++) {
      tabs.clock.advance(1_000);
      await settle();
    }
    ws.last.accept();
    await settle();
  };
  return { ...tabs, a, b, t, room, changes, reconnect };
}

describe('shareConnection: a refused leave() goes back to the membership, as without sharing', () => {
  it.each(['b', 'a'] as const)('tab %s (a: the leader\'s own): the service is told the membership again, a new connection enters it, a confirmed retry leaves for good', async (who) => {
    const { ws, room, settle, changes, reconnect } = await entered(who);
    const left = outcome(room.presence.leave());
    await settle();
    expect(changes().pop()).toEqual({ action: 'presence_leave', channel: 'room' });
    ws.last.receive(REFUSAL);
    await settle();
    expect(codeOf(left.v)).toBe('rate_limited');
    // The service may have applied the leave: it is told the membership it confirmed.
    expect(changes().pop()).toEqual({ action: 'presence_enter', channel: 'room', data: { name: 'Ada' } });
    await reconnect();
    expect(changes()).toEqual([{ action: 'presence_enter', channel: 'room', data: { name: 'Ada' } }]);
    // Pongs come again: the retry is confirmed, and the member is gone for good.
    expect(await room.presence.leave().then(() => 'resolved')).toBe('resolved');
    expect(changes().pop()).toEqual({ action: 'presence_leave', channel: 'room' });
    await reconnect();
    expect(changes()).toEqual([]);
  });

  it('a second leave() while the first is on its way is that leave: sent once, refused with it, then a retry is sent', async () => {
    const { ws, room, settle, changes } = await entered();
    const first = outcome(room.presence.leave());
    const second = outcome(room.presence.leave());
    await settle();
    expect({ second: second.done, leaves: changes().filter((f) => f.action === 'presence_leave').length }).toEqual({ second: false, leaves: 1 });
    ws.last.receive(REFUSAL);
    await settle();
    expect([codeOf(first.v), codeOf(second.v)]).toEqual(['rate_limited', 'rate_limited']);
    const retried = outcome(room.presence.leave());
    await settle();
    expect({ retried: retried.done, leaves: changes().filter((f) => f.action === 'presence_leave').length }).toEqual({ retried: false, leaves: 2 });
  });

  it('more refusals send nothing more: no loop under a rate limit, and the tab stays entered', async () => {
    const { ws, room, settle, clock, changes } = await entered();
    const left = outcome(room.presence.leave());
    await settle();
    ws.last.receive(REFUSAL);
    await settle();
    expect(codeOf(left.v)).toBe('rate_limited');
    const sent = changes().length;
    const sockets = ws.sockets.length;
    // Pongs come again (the connection stays up), and the refusals go on for a minute.
    for (const f of ws.last.actions) if (f.action === 'ping') ws.last.pong();
    ws.autoPong = true;
    for (let i = 0; i < 12; i++) {
      ws.last.receive(REFUSAL);
      ws.last.receive({ ...REFUSAL, channel: undefined });
      clock.advance(5_000);
      await settle();
    }
    expect({ sockets: ws.sockets.length, sent: changes().length }).toEqual({ sockets, sent });
    ws.autoPong = false;
    const retried = outcome(room.presence.leave());
    await settle();
    expect({ retried: retried.done, last: changes().pop() }).toEqual({ retried: false, last: { action: 'presence_leave', channel: 'room' } });
  });

  it('the leader\'s own membership and another tab\'s are unaffected', async () => {
    const { ws, a, b, room, tab, settle, changes, reconnect } = await entered();
    const c = tab();
    await settle();
    // The leader's tab is entered in another channel; c entered room before b left and left it.
    ws.autoPong = true;
    await a.pulse.channel('lobby').presence.enter({ name: 'Lead' });
    await c.pulse.channel('room').presence.enter({ name: 'Cy' });
    await c.pulse.channel('room').presence.leave();
    await settle();
    ws.autoPong = false;
    const before = changes().length;
    const left = outcome(room.presence.leave());
    await settle();
    ws.last.receive(REFUSAL);
    await settle();
    expect(codeOf(left.v)).toBe('rate_limited');
    // Only room's membership went back (b's data), nothing of lobby.
    expect(changes().slice(before)).toEqual([
      { action: 'presence_leave', channel: 'room' },
      { action: 'presence_enter', channel: 'room', data: { name: 'Ada' } },
    ]);
    // c left for good: its leave() resolves at once, with nothing sent.
    expect(await c.pulse.channel('room').presence.leave().then(() => 'resolved')).toBe('resolved');
    await reconnect();
    expect(changes().sort((x, y) => String(x.channel).localeCompare(String(y.channel)))).toEqual([
      { action: 'presence_enter', channel: 'lobby', data: { name: 'Lead' } },
      { action: 'presence_enter', channel: 'room', data: { name: 'Ada' } },
    ]);
    // b is still a member: its retry is sent.
    const retried = outcome(b.pulse.channel('room').presence.leave());
    ws.autoPong = false;
    await settle();
    expect({ retried: retried.done, last: changes().pop() }).toEqual({ retried: false, last: { action: 'presence_leave', channel: 'room' } });
  });
});

describe('shareConnection: a refused leave() after a change meanwhile', () => {
  it('the tab closed (bye) before the refusal: the leader puts no entry back, sends the leave again, and a new connection enters nothing', async () => {
    const { ws, b, room, settle, clock, changes, reconnect } = await entered();
    void room.presence.leave().catch(() => undefined);
    await settle();
    b.pulse.disconnect();
    await settle();
    ws.last.receive(REFUSAL);
    await settle();
    expect(changes().slice(-2)).toEqual([
      { action: 'presence_leave', channel: 'room' },
      { action: 'presence_leave', channel: 'room' },
    ]);
    // The resend refused too: nothing more is sent.
    const sent = changes().length;
    ws.last.receive(REFUSAL);
    clock.advance(5_000);
    await settle();
    expect(changes().length).toBe(sent);
    await reconnect();
    expect(changes()).toEqual([]);
  });

  it('the tab closed (bye) after the refusal: the member leaves', async () => {
    const { ws, b, room, settle, changes, reconnect } = await entered();
    void room.presence.leave().catch(() => undefined);
    await settle();
    ws.last.receive(REFUSAL);
    await settle();
    expect(changes().pop()).toEqual({ action: 'presence_enter', channel: 'room', data: { name: 'Ada' } });
    b.pulse.disconnect();
    await settle();
    expect(changes().pop()).toEqual({ action: 'presence_leave', channel: 'room' });
    await reconnect();
    expect(changes()).toEqual([]);
  });

  it('released meanwhile (unsubscribe): its refusal is sent again, not gone back to', async () => {
    const { ws, room, settle, changes, reconnect } = await entered();
    void room.presence.leave().catch(() => undefined);
    room.unsubscribe();
    await settle();
    ws.last.receive(REFUSAL);
    await settle();
    expect(changes().filter((f) => f.action === 'presence_enter')).toEqual([{ action: 'presence_enter', channel: 'room', data: { name: 'Ada' } }]);
    expect(changes().pop()).toEqual({ action: 'presence_leave', channel: 'room' });
    await reconnect();
    expect(ws.last.frames.filter((f) => 'channel' in f && f.channel === 'room')).toEqual([]);
  });

  it('released after the leader heard the refusal: the member leaves, and the tab keeps no membership (a new leader enters nothing)', async () => {
    const { ws, a, b, room, settle, changes, browser } = await entered();
    void room.presence.leave().catch(() => undefined);
    await settle();
    ws.last.receive(REFUSAL);
    // Before the tab hears of the refusal.
    room.unsubscribe();
    await settle();
    expect(changes().slice(-3)).toEqual([
      { action: 'presence_leave', channel: 'room' },
      { action: 'presence_enter', channel: 'room', data: { name: 'Ada' } },
      { action: 'presence_leave', channel: 'room' },
    ]);
    // The leader's tab goes: b leads, and enters nothing.
    ws.autoPong = true;
    const first = ws.last;
    a.crash();
    first.drop(1006);
    await settle();
    expect(browser.holder(LOCK)?.env).toBe(b.env);
    ws.last.accept();
    await settle();
    expect(changes()).toEqual([]);
  });

  it('entered again before the leader heard the refusal: both refused, not entered (as without sharing)', async () => {
    const { ws, room, settle, changes, reconnect } = await entered();
    const left = outcome(room.presence.leave());
    await settle();
    const again = outcome(room.presence.enter({ name: 'Bo' }));
    await settle();
    ws.last.receive(REFUSAL);
    await settle();
    expect([codeOf(left.v), codeOf(again.v)]).toEqual(['rate_limited', 'rate_limited']);
    expect(changes().pop()).toEqual({ action: 'presence_leave', channel: 'room' });
    expect(await room.presence.leave().then(() => 'resolved')).toBe('resolved');
    await reconnect();
    expect(changes()).toEqual([]);
  });

  it('entered again after the leader heard the refusal: that enter changes the membership gone back to, and its refusal goes back to it', async () => {
    const { ws, room, settle, changes, reconnect } = await entered();
    const left = outcome(room.presence.leave());
    await settle();
    ws.last.receive(REFUSAL);
    // Before the tab hears of the refusal.
    const again = outcome(room.presence.enter({ name: 'Bo' }));
    await settle();
    expect({ left: codeOf(left.v), again: again.done }).toEqual({ left: 'rate_limited', again: false });
    expect(changes().slice(-2)).toEqual([
      { action: 'presence_enter', channel: 'room', data: { name: 'Ada' } },
      { action: 'presence_update', channel: 'room', data: { name: 'Bo' } },
    ]);
    ws.last.receive(REFUSAL);
    await settle();
    expect(codeOf(again.v)).toBe('rate_limited');
    expect(changes().pop()).toEqual({ action: 'presence_update', channel: 'room', data: { name: 'Ada' } });
    await reconnect();
    expect(changes()).toEqual([{ action: 'presence_enter', channel: 'room', data: { name: 'Ada' } }]);
    expect(await room.presence.leave().then(() => 'resolved')).toBe('resolved');
    expect(changes().pop()).toEqual({ action: 'presence_leave', channel: 'room' });
  });

  it('rejected because the connection went (suspended) is no refusal: not gone back to, a new connection enters nothing', async () => {
    const { ws, room, settle, clock, changes } = await entered();
    const left = outcome(room.presence.leave());
    await settle();
    ws.last.drop(1006);
    for (let t = 0; t < 150_000 && !left.done; t += 5_000) {
      clock.advance(5_000);
      await settle();
    }
    expect(codeOf(left.v)).toBe('timeout');
    ws.autoPong = true;
    for (let t = 0; t < 60_000 && ws.last.readyState !== 0; t += 5_000) {
      clock.advance(5_000);
      await settle();
    }
    ws.last.accept();
    await settle();
    expect(changes()).toEqual([]);
    expect(await room.presence.leave().then(() => 'resolved')).toBe('resolved');
  });
});

describe('shareConnection: a refused leave of a tab of an older build (no `keep`)', () => {
  it('is sent again as before, and its answer names no membership to go back to (the tab does not go back)', async () => {
    const { ws, tab, settle, rogue } = setup();
    tab();
    await settle();
    ws.last.accept();
    await settle();
    const old = rogue();
    const answers: { k: string; id?: number; ok?: boolean; v?: unknown }[] = [];
    old.onmessage = (e) => answers.push(e.data as (typeof answers)[number]);
    old.postMessage({ k: 'req', tab: 'old-tab', id: 1, op: 'enter', ch: 'room', data: { name: 'Old' }, at: 1 });
    await settle();
    expect(answers).toContainEqual(expect.objectContaining({ k: 'res', id: 1, ok: true }));
    ws.autoPong = false;
    old.postMessage({ k: 'req', tab: 'old-tab', id: 2, op: 'leave', ch: 'room' });
    await settle();
    ws.last.receive(REFUSAL);
    await settle();
    const presence = ws.last.frames.filter((f) => String(f.action).startsWith('presence_'));
    expect(presence.slice(-2)).toEqual([
      { action: 'presence_leave', channel: 'room' },
      { action: 'presence_leave', channel: 'room' },
    ]);
    expect(answers.find((m) => m.k === 'res' && m.id === 2)).toMatchObject({ ok: false, v: undefined });
  });
});
