// An outside review found: with shareConnection, presence.get() did not put the channel in use
// for the object it was called on, so pulse.channel(name) returned another object while the read
// waited.
// The shared engine's _get ignored `face` (the engine's _get calls _use(name, face)): the fix of
// "channel identity after presence" (channel-identity-after-presence.test.ts) covered enter with
// sharing, and get only without. A shared tab behaves like a client without the option.
// share-tabs.ts imports ../src/pulse.js directly: under pulse-js this still tests the source.
import { describe, expect, it } from 'vitest';
import { flush, setupPulse } from './helpers.js';
import { setup } from './share-tabs.js';

describe('pulse.channel(name) while a presence.get() on it waits', () => {
  it('without shareConnection: the same channel object', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept(); // no pong: the read waits
    await flush();
    const room = pulse.channel('room');
    void room.presence.get();
    await flush();
    expect(pulse.channel('room')).toBe(room);
  });

  it('with shareConnection: the same channel object, as without it', async () => {
    const { ws, tab, settle } = setup();
    ws.autoPong = false; // the read waits
    const { pulse } = tab();
    await settle();
    ws.last.accept();
    await settle();
    const room = pulse.channel('room');
    void room.presence.get().catch(() => undefined);
    await settle();
    expect(pulse.channel('room')).toBe(room);
  });

  it('with shareConnection, in a follower tab: the same object while the read waits; the read answers, and then the channel is let go', async () => {
    const { ws, tab, settle } = setup();
    ws.autoPong = false;
    tab(); // leads
    const { pulse } = tab();
    await settle();
    ws.last.accept();
    await settle();
    const room = pulse.channel('room');
    const read = room.presence.get();
    await settle();
    expect(pulse.channel('room')).toBe(room);
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 0, members: [] });
    ws.last.pong();
    await settle();
    ws.last.pong();
    await settle();
    expect(await read).toEqual([]);
    // Nothing keeps the channel now: the service is told it is not wanted any more.
    expect(ws.last.frames.filter((f) => f.action === 'unsubscribe' && f.channel === 'room')).toHaveLength(1);
    expect(pulse.channel('room')).not.toBe(room);
  });
});

