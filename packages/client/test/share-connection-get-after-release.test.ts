// An outside review found: with shareConnection, a presence.get() still waiting when its channel
// was released (`channel.unsubscribe()`, Realtime `channel.detach()`, `channels.release()`) was
// not rejected: it resolved later with the leader's answer, in follower and leader tabs alike.
// Without sharing the engine's release rejects it with `disconnected` ("channel X released"), as
// realtime.ts documents for presence.get(); share.ts kept the read in its requests, which the
// release never looked at. Code relying on the rejection (an effect cleanup that detaches) broke
// only once shareConnection was on. The release now rejects the tab's reads of that channel.
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';
import { codeOf, outcome, setup } from './share-tabs.js';

describe('presence.get() pending at a release', () => {
  it('without shareConnection: rejects with disconnected, one error event', async () => {
    const { ws, pulse } = setupPulse();
    const errors: unknown[] = [];
    pulse.on('error', (e) => errors.push(codeOf(e)));
    ws.last.accept();
    await flush();
    const room = pulse.channel('room');
    const got = room.presence.get();
    await flush();
    room.unsubscribe();
    expect(await settledAs(got)).toBe('disconnected');
    expect(errors).toEqual(['disconnected']);
  });

  for (const which of ['follower', 'leader'] as const) {
    it(`with shareConnection (${which} tab): rejects with disconnected, one error event, as without sharing`, async () => {
      const { ws, tab, settle } = setup();
      ws.autoPong = false; // the service has not answered the presence request yet
      const a = tab(); // leads
      const b = tab(); // follows
      await settle();
      ws.last.accept();
      await settle();
      const { pulse, errors } = which === 'leader' ? a : b;
      const got = outcome(pulse.channel('room').presence.get());
      await settle();
      pulse.channel('room').unsubscribe(); // released while the read waits
      await settle();
      expect(got).toMatchObject({ done: true, v: { code: 'disconnected' } });
      // The service's sync for the request comes now: its answer finds no read (before the fix, it resolved it).
      ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 0, members: [] });
      await settle();
      expect(got).toMatchObject({ done: true, v: { code: 'disconnected' } });
      expect(errors.map(codeOf)).toEqual(['disconnected']);
    });
  }
});
