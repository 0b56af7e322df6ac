import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

// An outside review found: presence.get() could wait for ever while connected. Now a presence
// frame is applied only to a channel whose presence is asked for on this connection.
// docs/connection-states.md ("How a refused publish is told apart", item 5): a read waiting for a
// presence request "then resolves, or rejects with that refusal's code". engine.ts _ask's answer
// callback (engine.ts:964-969) takes `_synced` as "an earlier list standing" and returns: no
// `gone` for the readers, and no re-ask. But `_synced` can be true on a channel whose presence is
// not requested on this connection: a sync answering a request made before tracking stopped
// (applyPresence -> replaceMembers, presence.ts:89/124, sets it for any channel still held). A get() then waits for a
// sync that its refused request never brings, and nothing asks again: for ever while connected.
describe('presence.get() after a stray sync, its request refused once', () => {
  it('settles (rejects with the refusal, or resolves after a re-ask) instead of waiting for ever', async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    const sock = ws.last;
    let answered = 0;
    const answerPings = () => {
      const pings = sock.actions.filter((a) => a.action === 'ping').length;
      while (answered < pings) {
        answered++;
        sock.pong();
      }
    };
    const room = pulse.channel('room');
    room.subscribe('chat', () => {}); // the channel stays subscribed throughout
    const stopPresence = room.presence.subscribe(() => {}); // tracks presence: a request goes out
    await flush();
    expect(sock.frames).toEqual([
      { action: 'subscribe', channel: 'room' },
      { action: 'presence', channel: 'room' },
    ]);
    stopPresence(); // tracking stops while the request is in flight
    // The service answers that request.
    sock.receive({ type: 'presence', action: 'sync', channel: 'room', count: 1, members: [{ userId: 'u2', connectionId: 'c2' }] });
    answerPings();
    await flush();

    const read = room.presence.get();
    await flush();
    expect(sock.frames.at(-1)).toEqual({ action: 'presence', channel: 'room' });
    // The service refuses that one request once (its rate limit), then answers the ping after it.
    sock.receive({ type: 'error', error: 'too many frames', code: 'rate_limited', channel: 'room' });
    answerPings();
    await flush();
    // Five minutes connected, every ping answered, every later presence request answered with a sync.
    const requests = () => sock.frames.filter((f) => f.action === 'presence').length;
    let handled = requests();
    for (let i = 0; i < 60; i++) {
      clock.advance(5_000);
      await flush();
      if (requests() > handled) {
        handled = requests();
        sock.receive({ type: 'presence', action: 'sync', channel: 'room', count: 0, members: [] });
      }
      answerPings();
      await flush();
    }
    expect(pulse.isConnected).toBe(true);
    expect(sock.frames.filter((f) => f.action === 'presence')).toHaveLength(2); // never asked again
    expect(await settledAs(read)).not.toBe('pending');
  });

  it('control: the same get() without the stray sync rejects with the refusal at the first pong', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const sock = ws.last;
    const room = pulse.channel('room');
    room.subscribe('chat', () => {});
    await flush();
    sock.pong();
    await flush();
    const read = room.presence.get();
    await flush();
    sock.receive({ type: 'error', error: 'too many frames', code: 'rate_limited', channel: 'room' });
    sock.pong();
    expect(await settledAs(read)).toBe('rate_limited');
  });
});
