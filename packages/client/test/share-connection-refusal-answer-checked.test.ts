// An outside review found: a tab's answer check (c303a77) covers only `ok: true`: an answer that is no refusal either (no `ok`, no error in it) still ends the read.
// docs/share-connection.md: "one that is no member list is ignored and reported the same way,
// and the read goes on waiting for the leader's answer ..., so a stray answer can neither
// resolve it with junk nor end it". share.ts takes every answer whose `ok` is not truthy as a
// refusal: `{ k: 'res', to, id }` with no `ok` and no `e` (another build's leader, a bug, any
// same-origin script that read the request id) rejects presence.get() with a made-up
// `server_error` ("gave no reason"), and the leader's real answer that follows finds no request.
// The leader's own refusals always carry `ok: false` and an error (share-leader.ts).
import { describe, expect, it } from 'vitest';
import { codeOf, setup } from './share-tabs.js';

async function followerWithPendingGet() {
  const tabs = setup();
  tabs.tab();
  const b = tabs.tab();
  await tabs.settle();
  tabs.ws.last.accept();
  await tabs.settle();
  tabs.ws.autoPong = false;
  const read = b.pulse.channel('room').presence.get();
  const outcome: { v?: unknown; e?: unknown } = {};
  read.then((v) => (outcome.v = v), (e: unknown) => (outcome.e = e));
  await tabs.settle();
  const request = tabs.browser.posted.find((m) => (m as { k?: string; op?: string }).k === 'req' && (m as { op?: string }).op === 'get') as { tab: string; id: number };
  expect(request).toBeDefined();
  return { ...tabs, b, outcome, request };
}

const NOT_ANSWERS: [string, object][] = [
  ['no ok and no error', {}],
  ['ok: false without an error', { ok: false }],
  ['ok: 0 (not a boolean) with members', { ok: 0, v: [{ userId: 'u2', connectionId: 'c2' }] }],
];

describe('shareConnection: an answer to presence.get() that is neither members nor a refusal', () => {
  for (const [what, fields] of NOT_ANSWERS) {
    it(`${what}: ignored (an update event), the read keeps waiting`, async () => {
      const { rogue, settle, outcome, request, b } = await followerWithPendingGet();
      b.pulse.on('error', () => {});
      rogue().postMessage({ k: 'res', to: request.tab, id: request.id, ...fields });
      await settle();
      // Actual: rejected with server_error ('the tab holding the shared connection gave no reason').
      expect(outcome.e === undefined ? 'pending' : codeOf(outcome.e)).toBe('pending');
    });
  }
});
