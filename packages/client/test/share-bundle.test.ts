// The script-tag files and shareConnection: pulse.js leaves the sharing code out (its gzip budget,
// bundle.test.ts), so there the option is a no-op; pulse-share.js is pulse.js plus sharing, with a
// budget of its own. Its behaviour in Chromium, Firefox and WebKit: share-connection*.browser.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const file = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const [PULSE_JS, SHARE_JS] = [file('pulse.js'), file('pulse-share.js')];
const built = existsSync(PULSE_JS) && existsSync(SHARE_JS);
if (!built) console.warn('[openkbs-pulse] pulse.js / pulse-share.js not built: run `corepack pnpm build`');

/**
 * pulse-share.js: 10,748 bytes gzip when written (pulse.js: 8,606, + about 2.1 KB); this stops growth.
 * Raised from 11,264 to 11,392 for the fixes of an outside review (11,177 -> 11,338 B): follower
 * data sent in its JSON form, answers checked for their tab, malformed messages reported, and
 * presence data ordered by time after a handover (share-connection-contract.test.ts); then to
 * 12,168 for the fixes it shares with pulse.js (bundle.test.ts) and the leader's per-tab
 * confirmed entries (a rejected change goes back to them, also after a handover;
 * share-connection-contract / share-connection-presence tests); then to 12,225 for the presence
 * read's deadline (bundle.test.ts), to 12,302 for the events of a resync, to 12,320 for the shared empty maps, and to 12,568 for the review of those (bundle.test.ts) and
 * a follower's resync events after a leader handover (presence-read-deadline-and-resync.test.ts);
 * then to 12,641 for the second review (a tab keeps its list through a `gone` and forgets it on
 * failed: presence-request-ownership.test.ts); then to 12,748 for the third (a tab takes a
 * suspended leader's kept list as known: presence-request-unanswered.test.ts), and to 12,766
 * for the fourth (a kept list is taken in silently: presence-request-reask-backoff.test.ts);
 * then to 12,834 for refused subscribes, 12,893, 12,960 and 12,984 for their reviews (bundle.test.ts),
 * and down to 12,866 with one nesting rule, then 12,898 for ws's `message` event, and 12,924, 12,949 and 12,977
 * for their reviews (bundle.test.ts), and 12,962 for a walk and an emit tuned for V8,
 * 12,973, 12,957, 12,958 and 12,960 for their reviews (bundle.test.ts), and 12,987 for refused
 * unsubscribes sent again (unsubscribe-refused.test.ts), and 13,003 for a page that starts hidden
 * and a client closed while suspended (bundle.test.ts), and 13,051 for one reissue of a refused
 * token (bundle.test.ts), and 13,338 for the input checks of the same review (bundle.test.ts),
 * and 13,389 for their review (bundle.test.ts), and 13,419 for one expression for a name's
 * characters (bundle.test.ts), and 13,401 with the listener registration simplified, and 13,458
 * for boxed primitives and presence data whose toJSON gives nothing (bundle.test.ts), and 13,582
 * for Realtime presence actions and once's promise form (bundle.test.ts), and 13,577 with a fresh
 * token tried whatever this device's clock says (bundle.test.ts), and 13,764 for the send pace
 * (bundle.test.ts); and, for an outside review of the sharing itself, 14 more for a channel open
 * only while connected (share-connection-leaks.test.ts), 117 for checks of what other tabs post
 * (share-connection-foreign-messages.test.ts), 51 for a client that Web Locks refuse connecting on
 * its own (share-connection-locks-refused.test.ts), 59 for a tab's work and states as without
 * sharing (share-connection-parity.test.ts) and 25 for a watchdog that notices it ran late
 * (share-connection-frozen-follower.test.ts): 14,019, with one JSON copy for presence data
 * (share-connection-presence.test.ts); 14,218 for the review of the send pace and the rest
 * (bundle.test.ts); and, for a second outside review of the sharing, 14 fewer for a watchdog that
 * counts silence only until it was due (share-connection-frozen-follower.test.ts) and 89 more for
 * checks of error and presence messages from other tabs (share-connection-foreign-messages.test.ts):
 * 14,284, and 14,291 for presence changes refusable while their frame waits (bundle.test.ts), and
 * 14,270 with the frame number returned by the transport's send, and 14,364 for a bound on the
 * frames waiting for the send pace (send-pace-bound.test.ts); 14,353 with news from other tabs
 * checked by the protocol's frame and member rules (checkParsedFrame, isPresenceMember), and
 * 14,390 with ws's own close and error events on Node (bundle.test.ts), 14,411 removing only
 * its own listeners from a socket, and 14,433 for news from other tabs taken through JSON and
 * checkServerFrame, by the frame's data.type (share-connection-news-json.test.ts), and 14,500
 * with a tab's leave never refused for the send pace's bound and presence news linked to its
 * member list (share-connection-leave-while-paced, share-connection-presence-identity tests);
 * 14,496 with presence news copied by presence.ts's jsonCopy; 14,540 with four fixes of an
 * outside review (bundle.test.ts lists them); 14,537 with presence.ts's byConnection; 14,632
 * with a short message frame's nesting rule settled from its text; 14,643 with a second review's
 * fixes (bundle.test.ts lists them); 14,652 with service times within Date's range
 * (bundle.test.ts); 14,668 with one guarded reporter per client; 14,684 with open()'s refusals
 * told from a timer (bundle.test.ts), and 14,694 with a connection.once() that removes only its own
 * registrations (bundle.test.ts); 14,755 for a tab's presence read rejected when its channel is
 * released, as without sharing (one helper rejects a tab's held requests, at a release and at
 * disconnect(): share-connection-get-after-release.test.ts); 14,778 with the channel object a
 * presence call was made on kept while presence keeps the channel in use (bundle.test.ts);
 * 14,795 with shownValue (bundle.test.ts); 14,799 with publishProblem's timestamp (bundle.test.ts); 14,815 with
 * a leader's error without a string form told to tabs by shownValue; 14,814 with once()'s
 * rejection by shownValue (bundle.test.ts); 14,818 with a leader's error text by the protocol's
 * messageText (its one rule, where there were three copies); 14,930 with another review's
 * fixes (bundle.test.ts lists the engine's, about 65 B) and a tab's presence.get() keeping its
 * channel in use with the object it was called on while the read waits, as without sharing
 * (about 50 B: share-connection-get-channel-identity.test.ts); 14,990 with data whose getters or
 * Proxy traps throw refused as "data could not be read", not thrown (bundle.test.ts); 15,060 with
 * a leave on its way shared by a leave() meanwhile (bundle.test.ts); 15,063 with a leave's
 * refusal not gone back on once a later leave took its place; 15,255 with options of the wrong
 * type refused by the constructor; 15,546 for a tab's refused leave gone back to as without
 * sharing (the leader puts the tab's entry back and tells the tab, a release or a bye meanwhile
 * has it sent again, a tab's leave() meanwhile shares its fate:
 * share-connection-leave-refused.test.ts; about 290 B, pulse.js unchanged); 15,556 with
 * connection.once([...]) waiting alike for an array holding the state it is in (bundle.test.ts);
 * 15,559 with JSON.stringify of a channel starting no presence tracking; 15,578 with data JSON
 * writes as {} refused (bundle.test.ts); 15,603 with class instances that hold nothing passing and
 * authUrl taken as a URL object; 15,623 with an outside docs review's fixes (bundle.test.ts lists
 * them); 15,857 with the engine's
 * membership told again until the service takes it, a change of `retrying` in the same state told
 * as a state change in the engine and in every tab, an auth answer's endpoint kept before the
 * endpoint option (bundle.test.ts), and another tab's answer to presence.get() checked as a sync's
 * members (through JSON, isPresenceMember; a bad one ignored and reported) and a publish or
 * presence change resolved with nothing (share-connection-answer-checked.test.ts); 15,958 with
 * only a refusal in the leader's form ending a tab's request (ok: false, an error as toWire
 * writes it, a refused leave's membership through JSON with a number time; else ignored and
 * reported: share-connection-refusal-answer-checked.test.ts, about 90 B), a tab's connect() after
 * disconnect() not retrying (share-connection-reconnecting-after-reconnect.test.ts) and a released
 * channel's face forgotten (realtime-release-while-leaving.test.ts), an outside review's.
 */
const SHARE_BUDGET_BYTES = 15958;

describe.skipIf(!built)('pulse-share.js', () => {
  it('stays under its gzip budget (prints its size)', () => {
    const gzip = gzipSync(readFileSync(SHARE_JS), { level: 9 }).length;
    console.log(`[openkbs-pulse] pulse-share.js: ${gzip} bytes gzip (budget ${SHARE_BUDGET_BYTES})`);
    expect(gzip).toBeLessThanOrEqual(SHARE_BUDGET_BYTES);
  });

  it('has the sharing code; pulse.js does not', () => {
    for (const marker of ['BroadcastChannel', 'openkbs-pulse:', 'steal']) {
      expect(readFileSync(SHARE_JS, 'utf8').includes(marker), marker).toBe(true);
      expect(readFileSync(PULSE_JS, 'utf8').includes(marker), marker).toBe(false);
    }
  });
});
