// An outside review found: with shareConnection, presence news copied through JSON gave listeners
// a member that was not one of presence.members (indexOf -1); the copy links them again.
//
// Review (commit d1dd1ba): share-protocol.ts `presenceNews` now copies each `pres` news through
// JSON.parse(JSON.stringify(news)), which gives the event value `v` and the `members` list
// separate copies of the same member.
//
// Expected (parity with a client that does not share, which docs/share-connection.md promises:
// "every tab behaves alike", "as without sharing"): the member an `onEnter` / `onUpdate` listener
// gets is the member object `presence.members` holds (engine.ts applyPresence stores `member` in
// `_byId` and emits that same object), so an app can find it with `members.indexOf(member)` /
// `includes`, key a WeakMap on it, or compare rows by identity (React.memo rows, a snapshot
// compare such as react/hub.ts `read()`). Before d1dd1ba this held with sharing too: the leader's
// tab got the engine's own objects, and a follower's structured clone keeps shared references
// within one message (`v` and `members[i]` stay one object).
//
// Actual: with shareConnection the listener's member is never one of `presence.members` (in the
// leader's tab and in followers): indexOf gives -1, and every presence event replaces every member
// object of the list.
//
// Fix: share-protocol.ts `presenceNews` (and share.ts, which uses it): take `v` from the copied
// `members` list when it is one of them (by connectionId for enter/update, and the list itself
// for a synced `members` event), or check the value through JSON without using the copy for the
// objects delivered (e.g. JSON.stringify only, as a check, then deliver the structured-clone copy).
import { describe, expect, it } from 'vitest';
import type { PresenceMember } from '../src/index.js';
import { flush, setupPulse } from './helpers.js';
import { setup } from './share-tabs.js';

const member = (id: string, data: unknown): PresenceMember => ({ userId: `user-${id}`, connectionId: id, data } as PresenceMember);

describe('review c3: the member a presence listener gets is one of presence.members', () => {
  it('control, without shareConnection: onUpdate gets the very object presence.members holds', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const presence = pulse.channel('room').presence;
    const found: number[] = [];
    presence.onUpdate((m) => void found.push(presence.members.indexOf(m)));
    presence.onEnter((m) => void found.push(presence.members.indexOf(m)));
    await flush();
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 1, members: [member('c1', { n: 1 })] });
    ws.last.receive({ type: 'presence', action: 'enter', channel: 'room', member: member('c2', { n: [1, [2]], s: 'é🙂', z: null }) });
    ws.last.receive({ type: 'presence', action: 'update', channel: 'room', member: member('c1', { n: 2 }) });
    await flush();
    expect(found).toEqual([1, 0]);
  });

  for (const which of ['leader', 'follower'] as const) {
    it(`with shareConnection (${which} tab): onEnter / onUpdate get the object presence.members holds`, async () => {
      const { ws, tab, settle } = setup();
      const a = tab();
      const b = tab();
      await settle();
      ws.last.accept();
      await settle();
      const t = which === 'leader' ? a : b;
      const presence = t.pulse.channel('room').presence;
      const found: number[] = [];
      presence.onUpdate((m) => void found.push(presence.members.indexOf(m)));
      presence.onEnter((m) => void found.push(presence.members.indexOf(m)));
      await settle();
      ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 1, members: [member('c1', { n: 1 })] });
      await settle();
      ws.last.receive({ type: 'presence', action: 'enter', channel: 'room', member: member('c2', { n: [1, [2]], s: 'é🙂', z: null }) });
      await settle();
      ws.last.receive({ type: 'presence', action: 'update', channel: 'room', member: member('c1', { n: 2 }) });
      await settle();
      expect(found).toEqual([1, 0]);
    });
  }
});
