// With share-connection-refusal-answer-checked.test.ts: a refusal ends a tab's request only in the
// form share-leader.ts sends it (`ok: false`, an error `{ code, message, status? }`, and for a
// refused leave at most the membership the leader went back to: data through JSON, a number
// `at`). Anything else is ignored (an `update` event) and the request keeps waiting; a refused
// leave's membership is taken only once checked.
import { describe, expect, it } from 'vitest';
import { codeOf, outcome, setup } from './share-tabs.js';

type Posted = { k?: string; op?: string; tab: string; id: number };

/** Tab `b` follows, entered as Ada (confirmed); its leave() is on its way, unanswered. */
async function leaving() {
  const tabs = setup();
  tabs.realtimeTab();
  const b = tabs.realtimeTab();
  await tabs.settle();
  tabs.ws.last.accept();
  await tabs.settle();
  const room = b.realtime.channels.get('room');
  room.subscribe('m', () => {});
  await room.presence.enter({ name: 'Ada' });
  await tabs.settle();
  tabs.ws.autoPong = false;
  const updates: string[] = [];
  b.realtime.connection.on('update', (change: { reason?: { code?: string } }) => updates.push(String(change.reason?.code)));
  const left = outcome(room.presence.leave());
  await tabs.settle();
  const leaves = () => tabs.browser.posted.filter((m) => (m as Posted).k === 'req' && (m as Posted).op === 'leave') as Posted[];
  const request = leaves().at(-1)!;
  expect(request).toBeDefined();
  const answer = (fields: object) => tabs.rogue().postMessage({ k: 'res', to: request.tab, id: request.id, ...fields });
  return { ...tabs, room, left, leaves, answer, updates };
}

const RATE_LIMITED = { code: 'rate_limited', message: 'slow down' };

const NOT_REFUSALS: [string, object][] = [
  ['an error without a message', { ok: false, e: { code: 'rate_limited' } }],
  ['an error with a code that is no string', { ok: false, e: { code: 429, message: 'slow down' } }],
  ['a status that is no number', { ok: false, e: { ...RATE_LIMITED, status: '429' } }],
  ['a membership without a number time', { ok: false, e: RATE_LIMITED, v: { data: { name: 'Eve' }, at: 'now' } }],
  ['a membership whose data JSON cannot write', { ok: false, e: RATE_LIMITED, v: { data: { n: 1n }, at: 5 } }],
  ['a membership that is no object', { ok: false, e: RATE_LIMITED, v: 'Eve' }],
];

describe('shareConnection: a refusal of a tab\'s leave() not in the leader\'s form', () => {
  for (const [what, fields] of NOT_REFUSALS) {
    it(`${what}: ignored (an update event), the leave keeps waiting`, async () => {
      const { answer, settle, left, updates } = await leaving();
      answer(fields);
      await settle();
      expect(left.done).toBe(false);
      expect(updates).toContain('invalid_message');
    });
  }

  it('a refusal in the leader\'s form ends it, and the tab goes back to the membership it carries', async () => {
    const { answer, settle, left, leaves, room } = await leaving();
    answer({ ok: false, e: { ...RATE_LIMITED, status: undefined }, v: { data: { name: 'Ada' }, at: 5 } });
    await settle();
    expect(left.done).toBe(true);
    expect(codeOf(left.v)).toBe('rate_limited');
    // Entered again: a retried leave() is sent.
    const before = leaves().length;
    void room.presence.leave().catch(() => undefined);
    await settle();
    expect(leaves().length).toBe(before + 1);
  });

  it('a refusal without a membership ends it, and the tab stays out', async () => {
    const { answer, settle, left, leaves, room } = await leaving();
    answer({ ok: false, e: RATE_LIMITED });
    await settle();
    expect(codeOf(left.v)).toBe('rate_limited');
    const before = leaves().length;
    await room.presence.leave();
    await settle();
    expect(leaves().length).toBe(before);
  });
});
