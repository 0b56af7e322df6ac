// An outside review found: with shareConnection, a tab's leave (the member taking a remaining
// tab's data) was refused with queue_full while the send pace was full, and the member kept the
// leaving tab's data; the leader's own corrections are never refused for the bound.
//
// Review (commit afd1fe9): `_canWork()` refuses presence enter/update with `queue_full` while a
// minute of frames (MAX_WAITING) waits for the send pace. With shareConnection a tab's LEAVE is
// not always an engine `_leave`: when other tabs of the user are still entered and the leaving tab
// held the member's data (it entered or updated last), the leader (share-leader.ts `leave`) turns
// it into `engine._enter(ch, <latest remaining tab's data>)`, a presence update, which the new
// check now refuses. The refusal goes to `resync()`, whose `engine._enter` is refused the same way
// and swallowed (`.catch(() => undefined)`): nothing is queued, nothing is tried later.
//
// Expected: a leave is always allowed (the engine never refuses `_leave`), and after tab B leaves
// the user's member carries the data of the tab still entered (A), once the paced frames are out:
// docs/share-connection.md / share-leader.ts "When that tab leaves, the member takes the data of
// the latest remaining tab". B's leave() resolved, so B's app believes its data is gone.
//
// Actual: the service is never told: after the outbox drained (61 s at the pace) the last
// presence frame sent still carries B's data; every other user keeps seeing B's data (e.g. B's
// open document / cursor) for as long as the page lives, with no error for B's leave() to report.
// The same happens when B's tab closes (`bye`).
//
// Fix: share-leader.ts `leave` / `resync`: the member's switch to the remaining data must not be
// dropped by the pace bound (e.g. do it as the engine's rejected-change path does, a direct send
// past `_canWork()`, or set `_entered` and let the next connection/resync send it, or retry the
// resync once the outbox drained); alternatively engine.ts should not apply the bound to updates
// that replace presence data already waiting.
import { describe, expect, it } from 'vitest';
import { setup } from './share-tabs.js';

describe('review c3: shareConnection, a tab leaves while the send pace is full', () => {
  it('the member takes the remaining tab\'s data once the outbox drains (the leave is not dropped)', async () => {
    const { ws, tab, settle, clock } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const roomA = a.pulse.channel('room');
    const roomB = b.pulse.channel('room');
    await roomA.presence.enter({ who: 'A' });
    await roomB.presence.enter({ who: 'B' });
    await settle();
    const presenceFrames = () => ws.last.frames.filter((f) => String(f.action).startsWith('presence_') && f.action !== 'presence');
    expect(presenceFrames().pop()).toMatchObject({ action: 'presence_update', data: { who: 'B' } });
    // A's page publishes at a high rate: the leader's outbox fills up past the bound.
    const pubs = Array.from({ length: 12_000 }, (_, i) => roomA.publish('e', { i }).catch(() => undefined));
    void pubs;
    await settle();
    // B leaves: resolves (A is still entered, so the member stays, with A's data).
    const left = await roomB.presence.leave().then(() => 'resolved', (e: { code?: string }) => e.code);
    expect(left).toBe('resolved');
    // The paced frames go out.
    for (let s = 0; s < 70; s++) {
      clock.advance(1_000);
      await settle();
    }
    // The user's member must carry A's data now, not B's.
    expect(presenceFrames().pop()).toMatchObject({ action: 'presence_update', data: { who: 'A' } });
  }, 120_000);
});
