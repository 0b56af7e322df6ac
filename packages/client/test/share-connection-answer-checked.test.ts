// An outside review found: a tab takes another tab's answer to its presence.get() as it comes: a list that is no
// member list (another build's leader, or any same-origin script that read the tab's request id
// off the channel) resolves the Pulse face's get() with it, and makes Pulse.Realtime's get()
// reject with a bare TypeError (`list.map is not a function`), not a PulseError with a code.
// Message and presence news from other tabs are checked as the service's frames are
// (share-connection-news-json: through JSON, checkServerFrame, isPresenceMember); an answer (`res`)
// carrying members is not, though the engine's own presence.get() only ever gives checked members.
import { describe, expect, it } from 'vitest';
import { codeOf, setup } from './share-tabs.js';

/** Two tabs of one user, connected; `b` follows. Pings are not answered, so b's read waits. */
async function followerWithPendingGet(face: 'pulse' | 'realtime') {
  const tabs = setup();
  if (face === 'pulse') tabs.tab();
  else tabs.realtimeTab();
  const b = face === 'pulse' ? tabs.tab() : tabs.realtimeTab();
  await tabs.settle();
  tabs.ws.last.accept();
  await tabs.settle();
  tabs.ws.autoPong = false;
  const read = 'pulse' in b ? b.pulse.channel('room').presence.get() : b.realtime.channels.get('room').presence.get();
  const outcome: { v?: unknown; e?: unknown } = {};
  read.then((v) => (outcome.v = v), (e: unknown) => (outcome.e = e));
  await tabs.settle();
  const request = tabs.browser.posted.find((m) => (m as { k?: string; op?: string }).k === 'req' && (m as { op?: string }).op === 'get') as { tab: string; id: number };
  expect(request).toBeDefined();
  return { ...tabs, outcome, request };
}

const NOT_MEMBERS: [string, unknown][] = [
  ['a string', 'not a member list'],
  ['members without ids', [{ name: 'Ada' }]],
  ['a member whose data JSON cannot hold', [{ userId: 'u2', connectionId: 'c2', data: { n: 10n } }]],
];

describe('shareConnection: an answer to presence.get() that is no member list', () => {
  for (const face of ['pulse', 'realtime'] as const) {
    for (const [what, v] of NOT_MEMBERS) {
      it(`${face}: ${what} neither resolves the read nor rejects it with an untyped error`, async () => {
        const { rogue, settle, outcome, request } = await followerWithPendingGet(face);
        rogue().postMessage({ k: 'res', to: request.tab, id: request.id, ok: true, v });
        await settle();
        // Acceptable: still waiting for a real answer, or rejected with a PulseError's code.
        if ('e' in outcome) expect(codeOf(outcome.e)).toBeTypeOf('string');
        if ('e' in outcome) expect(outcome.e).toHaveProperty('code');
        // Actual: resolved with the junk (Pulse), or rejected with a TypeError (Realtime).
        expect('v' in outcome).toBe(false);
      });
    }
  }
});

// Added with the fix: a bad answer is ignored (and reported), so the real one still settles the read.
describe('shareConnection: after an answer that is no member list', () => {
  it('the read still takes a member list that comes next (as JSON gives it), and the bad one is an update event', async () => {
    const { rogue, settle, outcome, request, realtime } = await followerRealtime();
    const updates: string[] = [];
    realtime.connection.on('update', (change: { reason?: { code?: string } }) => updates.push(String(change.reason?.code)));
    rogue().postMessage({ k: 'res', to: request.tab, id: request.id, ok: true, v: [{ name: 'Ada' }] });
    await settle();
    expect(outcome).toEqual({});
    expect(updates).toEqual(['invalid_message']);
    const member = { userId: 'u2', connectionId: 'c2', data: { name: 'Ada', at: new Date(0) } };
    rogue().postMessage({ k: 'res', to: request.tab, id: request.id, ok: true, v: [member] });
    await settle();
    expect(outcome.v).toEqual([expect.objectContaining({ clientId: 'u2', connectionId: 'c2', data: { name: 'Ada', at: new Date(0).toJSON() } })]);
  });

  it('a publish answered with a value resolves with nothing, as without sharing', async () => {
    const tabs = setup();
    tabs.tab();
    const b = tabs.tab();
    await tabs.settle();
    tabs.ws.last.accept();
    await tabs.settle();
    tabs.ws.autoPong = false;
    const published = b.pulse.channel('room').publish('m', { n: 1 });
    await tabs.settle();
    const request = tabs.browser.posted.find((m) => (m as { op?: string }).op === 'publish') as { tab: string; id: number };
    tabs.rogue().postMessage({ k: 'res', to: request.tab, id: request.id, ok: true, v: 'junk' });
    await expect(published).resolves.toBeUndefined();
  });
});

async function followerRealtime() {
  const tabs = setup();
  tabs.realtimeTab();
  const b = tabs.realtimeTab();
  await tabs.settle();
  tabs.ws.last.accept();
  await tabs.settle();
  tabs.ws.autoPong = false;
  const outcome: { v?: unknown; e?: unknown } = {};
  b.realtime.channels.get('room').presence.get().then((v) => (outcome.v = v), (e: unknown) => (outcome.e = e));
  await tabs.settle();
  const request = tabs.browser.posted.find((m) => (m as { k?: string; op?: string }).k === 'req' && (m as { op?: string }).op === 'get') as { tab: string; id: number };
  return { ...tabs, outcome, request, realtime: b.realtime };
}
