// Reproductions from a fourth outside review (of fd265af, presence requests asked again): A, B, C
// and E failed there; D held. Re-asks start from the first backoff step after a sync and on each
// connection, a run of failures is one error event, and a follower tab takes a kept list silently.
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, setupPulse } from './helpers.js';
import { setup as shareSetup } from './share-tabs.js';

const member = (n: number): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n });
const sync = (members: PresenceMember[], channel = 'room') => ({ type: 'presence', action: 'sync', channel, count: members.length, members });
const presenceFrames = (sock: { actions: { action: string; channel?: string }[] }, ch?: string) => sock.actions.filter((a) => a.action === 'presence' && (!ch || a.channel === ch)).length;
const tick = async (clock: { advance(ms: number): void }, ms: number, step = 100) => {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
};

describe('presence requests asked again', () => {
  it('a later failure on a long-lived connection re-asks from the first backoff step', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.autoPong = true;
    ws.last.accept();
    pulse.channel('a').presence.subscribe(() => {});
    await flush();
    await tick(clock, 20_000, 500); // a's requests dropped at 0, 1, 3, 8, 18 s: _reasks = 5, next round at 48 s
    // the next round's request for a is answered with a sync (the service recovered)
    const sock = ws.last;
    const send = sock.send.bind(sock);
    let answered = false;
    sock.send = (data: string) => {
      send(data);
      if (!answered && data.includes('"presence"') && data.includes('"a"')) {
        answered = true;
        void Promise.resolve().then(() => sock.receive(sync([], 'a')));
      }
    };
    while (!answered) {
      clock.advance(100);
      await flush();
    }
    await flush();
    await tick(clock, 600_000, 1000); // ten quiet minutes, heartbeats answered
    expect(pulse.state).toBe('connected');
    const before = presenceFrames(ws.last, 'b');
    pulse.channel('b').presence.subscribe(() => {}); // b's request dropped
    await flush();
    await tick(clock, 2_000);
    // docs: "1 → 2 → 5 → 10 → 30 s": the first re-ask of b within ~1 s of its failure
    expect(presenceFrames(ws.last, 'b') - before).toBe(2);
  });

  it('a new connection re-asks from the first step (old timer not left pending)', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.autoPong = true;
    ws.last.accept();
    pulse.channel('room').presence.subscribe(() => {});
    await flush();
    await tick(clock, 49_000, 500); // rounds at 1, 3, 8, 18, 48 s: the next is due at 78 s
    const old = ws.last;
    old.drop(1006);
    await tick(clock, 1_500); // reconnect after ~1 s
    expect(ws.last).not.toBe(old);
    ws.last.accept();
    await flush(); // resume asks; pong, no sync
    await tick(clock, 1_500);
    // "from the start on each new connection": re-asked 1 s after the new request failed
    expect(presenceFrames(ws.last)).toBe(2);
  });

  it('a follower tab that starts watching while the leader is connected but unsynced gets no members event (engine emits members only when synced)', async () => {
    const { ws, tab, settle, clock } = shareSetup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    a.pulse.channel('room').presence.subscribe(() => {});
    await settle();
    ws.last.receive(sync([member(1), member(2)]));
    await settle();
    const first = ws.last;
    first.drop(1006);
    for (let i = 0; i < 30 && ws.last === first; i++) {
      clock.advance(100);
      await settle();
    }
    ws.last.accept();
    await settle(); // the new connection's request: pong, no sync (dropped)
    const events: string[] = [];
    b.pulse.channel('room').presence.subscribe((l) => events.push(`members ${l.length}`));
    await settle();
    expect(events).toEqual([]);
  });

  it('a get() while a re-ask is scheduled, then the timer: never two requests in flight, and nothing pending after disconnect()', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.autoPong = false;
    ws.last.accept();
    const p = pulse.channel('room').presence;
    p.subscribe(() => {});
    await flush();
    ws.last.pong(); // no sync: re-ask in ~1 s
    await flush();
    const r = p.get().catch(() => 'rej');
    await flush();
    expect(presenceFrames(ws.last)).toBe(2);
    await tick(clock, 1_500); // timer fires while get's request is in flight
    expect(presenceFrames(ws.last)).toBe(2);
    ws.last.receive(sync([]));
    ws.last.pong();
    await flush();
    expect(await r).toEqual([]);
    pulse.disconnect();
    await flush();
    expect(clock.pending).toBe(0);
  });

  it('50 tracked channels whose requests are dropped for 10 minutes: one error event, not one per channel and retry', async () => {
    const { ws, pulse, clock } = setupPulse();
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.autoPong = true;
    ws.last.accept();
    for (let i = 0; i < 50; i++) pulse.channel(`ch${i}`).presence.subscribe(() => {});
    await flush();
    await tick(clock, 600_000, 500);
    expect(errors).toEqual(['invalid_response']);
    expect(presenceFrames(ws.last)).toBeLessThanOrEqual(50 * 25); // rounds at 0, 1, 3, 8, 18, 48 s, then every 30 s
  });
});
