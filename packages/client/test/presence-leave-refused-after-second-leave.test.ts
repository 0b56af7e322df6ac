// An outside review found: a refused leave went back to the membership after a second leave() had resolved, or after the channel was released (subscribing and entering it again).
// Attacks 7a6f3e7 (a refused presence.leave() goes back to the confirmed membership).
// A second leave() made while the first is in flight resolves at once (the client already
// counts as not entered). When the first is then refused, the client goes back to the confirmed
// membership and sends presence_enter: a leave() that resolved is followed by the member being
// entered again (on the service and on every later connection). Likewise a channel released
// (unsubscribe()) while its leave is in flight is set up and entered again by the refusal.
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

const entered = async () => {
  const setup = setupPulse();
  setup.pulse.on('error', () => {});
  setup.ws.last.accept();
  const room = setup.pulse.channel('room');
  const done = room.presence.enter({ name: 'Ada' });
  setup.ws.last.pong();
  await done;
  return { ...setup, room };
};

describe('a refused leave() after a later leave() or release', () => {
  it('a second leave() that resolved is not undone by the refusal of the first (no re-enter)', async () => {
    const { ws, room, clock } = await entered();
    const first = room.presence.leave();
    const second = room.presence.leave();
    const secondOutcome = await settledAs(second);
    // The second leave is the first one's: it waits for the service's answer with it.
    expect(secondOutcome).toBe('pending');
    expect(ws.last.frames.filter((f) => f.action === 'presence_leave')).toHaveLength(1);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    expect(await settledAs(first)).toBe('rate_limited');
    expect(await settledAs(second)).toBe('rate_limited');
    await flush();
    // Both were refused: the membership is back, and a retry sends a leave again.
    const retried = room.presence.leave();
    expect(ws.last.frames.filter((f) => f.action === 'presence_leave')).toHaveLength(2);
    // The pongs of the pings in flight, its own last.
    for (let i = 0; i < 10 && (await settledAs(retried)) === 'pending'; i++) ws.last.pong();
    expect(await settledAs(retried)).toBe('resolved');
    if (secondOutcome === 'resolved') {
      // The app was told it left: nothing may enter the member again.
      const frames = ws.last.frames;
      const lastLeave = frames.map((f) => f.action).lastIndexOf('presence_leave');
      expect(frames.slice(lastLeave + 1).filter((f) => f.action === 'presence_enter')).toEqual([]);
      // Nor a later connection.
      ws.last.drop();
      clock.advance(1000);
      await flush();
      ws.last.accept();
      await flush();
      expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([]);
    }
  });

  it('a refused leave is not gone back on after an enter and a later leave (that leave decides)', async () => {
    const { ws, room, clock } = await entered();
    const first = room.presence.leave();
    void room.presence.enter({ name: 'Bo' }).catch(() => undefined);
    const second = room.presence.leave();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    expect(await settledAs(first)).toBe('rate_limited');
    await flush();
    const frames = ws.last.frames;
    const lastLeave = frames.map((f) => f.action).lastIndexOf('presence_leave');
    expect(frames.slice(lastLeave + 1).filter((f) => f.action === 'presence_enter')).toEqual([]);
    // A refusal of the ping window rejects every change of the channel in it: the later leave too,
    // which, with nothing confirmed since, is sent again.
    expect(await settledAs(second)).toBe('rate_limited');
    for (let i = 0; i < 10; i++) ws.last.pong();
    await flush();
    // Left for good: a new connection enters nothing.
    ws.last.drop();
    clock.advance(1000);
    await flush();
    ws.last.accept();
    await flush();
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([]);
  });

  it('unsubscribe() while the leave is in flight: its refusal neither subscribes nor enters the channel again', async () => {
    const { ws, room } = await entered();
    const left = room.presence.leave();
    room.unsubscribe();
    await flush();
    const before = ws.last.frames.length;
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    expect(await settledAs(left)).toBe('rate_limited');
    await flush();
    const after = ws.last.frames.slice(before).map((f) => f.action);
    expect(after).not.toContain('subscribe');
    expect(after).not.toContain('presence_enter');
  });
});
