// Presence changes confirmed, left and rejected: what the client keeps and tells the service.
// Reproductions from a fourth outside review (each failed before the fix).
import { describe, expect, it } from 'vitest';
import { flush, setupPulse } from './helpers.js';

const code = (e: unknown) => (e as { code?: string })?.code ?? e;

// The model: "a change that resolves sets _confirmed to itself unless LEFT SINCE".
// The code checks only "entered now", so enter(A) → leave() → enter(C) makes A "confirmed"
// when A's pong comes after C was sent; a refused C then brings back A, which the app left.
describe('an enter confirmed after a later leave() is not the membership to go back to', () => {
  it('enter A, leave, enter C; A confirmed, C refused: not entered (a leave is sent), and no later connection enters A', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {}); // keeps the channel state across the leave
    const a = room.presence.enter({ v: 'A' });
    const left = room.presence.leave().catch((e) => e);
    const c = room.presence.enter({ v: 'C' }).catch((e) => e);
    ws.last.pong(); // answers the ping sent right after A: A is confirmed
    await a;
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    expect(code(await c)).toBe('rate_limited');
    await left;
    await flush();
    const presenceFrames = ws.last.frames.filter((f) => String(f.action).startsWith('presence_'));
    // The app left A and its C was refused: the service must be told "not entered".
    expect(presenceFrames[presenceFrames.length - 1]).toEqual({ action: 'presence_leave', channel: 'room' });
    ws.last.drop(1006);
    clock.advance(1_000);
    ws.last.accept();
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([]);
  });
});


// The engine keeps the app's data object by reference as `_entered`/`_confirmed` (the shared
// engine keeps a JSON copy). "Goes back to the confirmed data" then sends whatever the object
// holds now: the refused data.
describe('the confirmed data is what was confirmed, not the app object as it is now', () => {
  it('enter(me) confirmed; me.status changed and update(me) refused: the compensating update carries the confirmed data', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    const me = { status: 'online' };
    const entered = room.presence.enter(me);
    ws.last.pong();
    await entered;
    me.status = 'away';
    const updated = room.presence.update(me).catch((e) => e);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    await updated;
    await flush();
    const last = ws.last.frames.filter((f) => String(f.action).startsWith('presence_')).pop();
    expect(last).toEqual({ action: 'presence_update', channel: 'room', data: { status: 'online' } });
  });

  it('the compensating update cannot be encoded any more (the app put a BigInt in its confirmed object): no unhandled rejection', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      ws.last.accept();
      const room = pulse.channel('room');
      const me: Record<string, unknown> = { status: 'online' };
      const entered = room.presence.enter(me);
      ws.last.pong();
      await entered;
      me.n = 1n;
      const updated = room.presence.update({ status: 'away' }).catch((e) => e);
      ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
      await updated;
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
