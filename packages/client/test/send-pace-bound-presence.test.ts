// An outside review found: the bound on frames waiting for the send pace held for publishes only,
// so a loop of presence updates still grew the outbox without end. Now every call that sends
// (publish, presence enter/update, presence reads) is refused with queue_full past the bound.
//
// Expected: the bound holds for every frame the client queues behind the pace, not only for
// publishes. Commit 02ecefe and docs/concepts.md promise that at most a minute of frames waits
// (else "memory and delays that grow without end"), and the project contract is "never waits
// without a deadline / no leaks". The check is only in engine.ts `_publish`; `_enter`
// (presence.enter / presence.update, what a cursor or typing indicator calls in a loop) sends its
// frame through `_send` -> Transport.send, which queues without limit. A loop of presence updates
// faster than 180 a second therefore still grows the outbox without end, and each update waits
// longer than the last (here: still unsent after 61 s of sending), exactly what 02ecefe set out
// to stop for publishes. A presence update past the bound should be refused at once with
// `queue_full` (or superseded: only the latest presence data matters, so a waiting
// presence_update of the same channel could be replaced rather than queued).
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

describe('send pace bound and presence changes', () => {
  it('presence updates faster than the pace do not wait past a minute of sending (bounded like publishes)', async () => {
    const { pulse, ws, clock } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const presence = pulse.channel('room').presence;
    await flush();
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 0, members: [] });
    expect(await settledAs(presence.enter({ i: -1 }))).toBe('resolved');
    const updates = Array.from({ length: 13_000 }, (_, i) => presence.update({ i }));
    await flush();
    // 61 s of sending at the pace: 500 at once + 180 a second = about 11,480 frames.
    for (let s = 0; s < 61; s++) {
      clock.advance(1_000);
      await flush();
    }
    const last = updates[updates.length - 1]!;
    // Either refused at once (bounded, like a publish: queue_full) or sent and confirmed; not
    // still waiting for the pace after more than a minute.
    expect(await settledAs(last)).not.toBe('pending');
  }, 60_000);

  it('control: publishes past the bound are refused at once with queue_full', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const channel = pulse.channel('room');
    const all = Array.from({ length: 13_000 }, (_, i) => channel.publish('e', { i }));
    expect(await settledAs(all[all.length - 1]!)).toBe('queue_full');
  }, 60_000);
});
