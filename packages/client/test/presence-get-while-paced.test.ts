// An outside review found: presence.get() on a synced set, which sends nothing, was refused with
// queue_full while the send pace was full; now only a read that asks the service is bounded.
//
// Review (commit afd1fe9): `_canWork()` now refuses with `queue_full` while a minute of frames
// (MAX_WAITING) waits for the send pace, and `_get` calls `_canWork()` first.
//
// Expected: `presence.get()` on a channel whose presence set is already synced on this
// connection sends nothing: engine.ts `_get` answers it from the set at once
// (`if (set._synced && ch._presenceRequested) return Promise.resolve(members(ch))`). A full
// outbox is no reason to refuse it: no frame would join the outbox, and the members are known and
// current. docs/concepts.md says past the bound "`publish()` and presence changes reject with
// `queue_full`" (a read is not a change), and the error's own fix ("publish or update presence
// less often") does not apply to a read. `presence.members` gives the same list synchronously at
// the same moment, so refusing the promise form only breaks apps that `await presence.get()`
// (e.g. to render the member list) while they publish at high rate.
//
// Actual: the read rejects with `queue_full` (and an `error` event is emitted for it).
//
// Fix: engine.ts `_get`: answer a synced set before the pace bound (check `_canWork()`'s
// queue_full part only on the paths that send: `_ask` / `_sync`), or split the bound out of
// `_canWork()` into the calls that add frames.
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

describe('review c3: presence.get() on a synced set while the send pace is full', () => {
  it('resolves with the known members (nothing to send), it is not refused with queue_full', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const channel = pulse.channel('room');
    const presence = channel.presence;
    const seen: unknown[] = [];
    presence.subscribe(() => void seen.push(1));
    await flush();
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 1, members: [{ userId: 'u2', connectionId: 'c2', data: { n: 1 } }] });
    expect(await presence.get()).toHaveLength(1);
    // Fill the outbox past the bound with publishes (the documented way to reach queue_full).
    const publishes = Array.from({ length: 12_000 }, (_, i) => channel.publish('e', { i }));
    expect(await settledAs(publishes[publishes.length - 1]!)).toBe('queue_full');
    // The set is known and current: members reads it synchronously.
    expect(presence.members).toHaveLength(1);
    const errors: unknown[] = [];
    pulse.on('error', (e) => errors.push((e as { code?: string }).code));
    const read = presence.get();
    expect(await settledAs(read)).toBe('resolved');
    expect(errors).toEqual([]);
  }, 60_000);
});
