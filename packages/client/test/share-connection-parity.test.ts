// An outside review found: with shareConnection a tab behaved unlike a client without it: a
// publish while suspended rejected with not_connected (not timeout), presence.leave() while
// reconnecting waited for a connection, and close() skipped the `closing` state.
import { describe, expect, it, vi } from 'vitest';
import { Realtime } from '../src/realtime.js';
import { flush, setupPulse, setupRealtime } from './helpers.js';
import { codeOf, outcome, setup } from './share-tabs.js';

describe('shareConnection: as a client without it', () => {
  it('suspended: a publish rejects with `timeout` (docs/connection-states.md), in the leader tab and a follower, as without sharing', async () => {
    // Without sharing:
    const solo = setupRealtime({ connectionStateTtlMs: 10_000 });
    solo.ws.last.accept();
    await flush();
    solo.ws.last.drop();
    for (let i = 0; i < 30 && solo.realtime.connection.state !== 'suspended'; i++) {
      solo.clock.advance(1_000);
      if (solo.ws.last.readyState === 0) solo.ws.last.drop();
      await flush();
    }
    expect(solo.realtime.connection.state).toBe('suspended');
    expect(await solo.realtime.channels.get('x').publish('m', { n: 1 }).then(() => 'resolved', codeOf)).toBe('timeout');

    // With sharing:
    const { ws, settle, clock, options, browser } = setup();
    const mk = () => {
      const t = browser.tab();
      vi.stubGlobal('navigator', { locks: t.env.locks });
      vi.stubGlobal('BroadcastChannel', t.env.BroadcastChannel);
      try {
        return new Realtime({ ...options(), clientId: 'u1', connectionStateTtlMs: 10_000 });
      } finally {
        vi.unstubAllGlobals();
      }
    };
    const a = mk();
    const b = mk();
    try {
      await settle();
      ws.last.accept();
      await settle();
      ws.last.drop();
      for (let i = 0; i < 30 && b.connection.state !== 'suspended'; i++) {
        clock.advance(1_000);
        if (ws.last.readyState === 0) ws.last.drop();
        await settle();
      }
      expect(b.connection.state).toBe('suspended');
      const fromFollower = await b.channels.get('x').publish('m', { n: 1 }).then(() => 'resolved', codeOf);
      const fromLeader = await a.channels.get('x').publish('m', { n: 1 }).then(() => 'resolved', codeOf);
      // not_connected would say "call connect()", which tells the app to do the wrong thing.
      expect({ fromFollower, fromLeader }).toEqual({ fromFollower: 'timeout', fromLeader: 'timeout' });
    } finally {
      a.close();
      b.close();
    }
  });

  it('presence.leave() while reconnecting resolves at once, as without sharing (the tab that entered last, another tab still entered)', async () => {
    // Without sharing: leave() while the connection is down resolves at once (the service dropped the member).
    const solo = setupPulse();
    solo.ws.autoPong = true;
    solo.ws.last.accept();
    await solo.pulse.channel('room').presence.enter({ n: 1 });
    solo.ws.last.drop();
    await flush();
    const soloLeft = outcome(solo.pulse.channel('room').presence.leave());
    await flush();
    await flush();
    expect(soloLeft).toEqual({ done: true, v: 'resolved' });

    // With sharing: tabs b and c entered, c last; the connection drops; c leaves.
    const { ws, tab, settle, clock } = setup();
    tab();
    const b = tab();
    const c = tab();
    await settle();
    ws.last.accept();
    await settle();
    await b.pulse.channel('room').presence.enter({ tab: 'b' });
    clock.advance(10);
    await c.pulse.channel('room').presence.enter({ tab: 'c' });
    await settle();
    ws.last.drop();
    await settle();
    expect(c.pulse.state).toBe('reconnecting');
    const left = outcome(c.pulse.channel('room').presence.leave());
    await settle();
    // Not held by the leader's engine._enter of b's data (which waits for a connection, and after
    // connectionStateTtlMs rejects with `timeout`): c's leave took effect at once.
    expect(left).toEqual({ done: true, v: 'resolved' });
    // The member stays and takes b's data once connected again.
    clock.advance(30_000);
    await settle();
    ws.last.accept();
    await settle();
    expect(ws.last.frames.filter((f) => (f as { action: string }).action.startsWith('presence_'))).toEqual([
      expect.objectContaining({ action: 'presence_enter', channel: 'room', data: { tab: 'b' } }),
    ]);
  });

  it('close(): a Realtime tab goes closing → closed, as without sharing', async () => {
    const solo = setupRealtime();
    solo.ws.last.accept();
    await flush();
    const soloStates: string[] = [];
    solo.realtime.connection.on((change) => soloStates.push(change.current));
    solo.realtime.close();
    await flush();
    await flush();
    expect(soloStates).toEqual(['closing', 'closed']);

    const { ws, realtimeTab, settle } = setup();
    realtimeTab();
    const b = realtimeTab();
    await settle();
    ws.last.accept();
    await settle();
    const states: string[] = [];
    b.realtime.connection.on((change) => states.push(change.current));
    b.realtime.close();
    await settle();
    expect(states).toEqual(['closing', 'closed']);
  });
});
