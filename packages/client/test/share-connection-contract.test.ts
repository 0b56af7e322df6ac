// shareConnection keeps the client's contract across tabs: follower promises never throw, are
// answered only by the leader for their own tab, have a deadline and emit their failures; a
// leader that disconnects hands its followers' work over; presence data survives a handover.
// Each case is a reproduction found by an outside review (it failed before the fix).
import { describe, expect, it } from 'vitest';
import { SILENCE_MS } from '../src/share.js';
import { codeOf, LOCK, outcome, setup } from './share-tabs.js';

describe('shareConnection: the contract across tabs', () => {
  it('a follower publishes a Proxy (e.g. Vue reactive()): a promise, no synchronous DataCloneError', async () => {
    const { ws, tab, settle } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const data = new Proxy({ text: 'hi' }, {});
    // Works in the leader tab:
    await expect(a.pulse.channel('x').publish('m', data)).resolves.toBeUndefined();
    // Follower: contract = returns a promise, never throws.
    let thrown: unknown;
    try {
      void b.pulse.channel('x').publish('m', data);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeUndefined();
  });

  it('a follower enters with data that has its own toJSON function: a promise, no synchronous throw', async () => {
    const { ws, tab, settle } = setup();
    tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const data = { name: 'Ada', toJSON: () => ({ name: 'Ada' }) };
    let thrown: unknown;
    try {
      void b.pulse.channel('room').presence.enter(data);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeUndefined();
  });

  it('after a follower entered with a Proxy, a handover still restores its other subscriptions', async () => {
    const { ws, tab, settle, browser } = setup();
    const a = tab();
    const c = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    try {
      void b.pulse.channel('room').presence.enter(new Proxy({ name: 'B' }, {}));
    } catch {
      /* F1 */
    }
    const got: unknown[] = [];
    b.pulse.channel('z').subscribe('m', (d) => got.push(d));
    await settle();
    expect(ws.last.frames).toEqual(expect.arrayContaining([{ action: 'subscribe', channel: 'z' }]));
    const uncaught: unknown[] = [];
    const onErr = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onErr);
    a.crash();
    ws.last.drop();
    await settle();
    expect(browser.holder(LOCK)?.env).toBe(c.env);
    ws.last.accept();
    await settle();
    process.off('uncaughtException', onErr);
    ws.last.receive({ type: 'message', channel: 'z', data: { type: 'm', n: 1 }, timestamp: 1 });
    await settle();
    // b's subscription to z must survive the handover.
    expect(got).toEqual([{ type: 'm', n: 1 }]);
  });

  it('the leader tab calls disconnect(): a follower\'s unconfirmed publish is sent again by the new leader and resolves', async () => {
    const { ws, tab, settle, browser } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    ws.autoPong = false;
    const sent = outcome(b.pulse.channel('x').publish('m', { n: 1 }));
    await settle();
    expect(ws.last.frames.at(-1)).toMatchObject({ action: 'publish' });
    a.pulse.disconnect();
    await settle();
    expect(browser.holder(LOCK)?.env).toBe(b.env);
    ws.autoPong = true;
    ws.last.accept();
    await settle();
    // Docs: "When the leader tab closes, crashes or calls disconnect() ... Publishes not confirmed
    // before the handover are sent again ... nothing confirmed or queued is lost."
    expect(sent.v).toBe('resolved');
  });

  it('the leader tab calls disconnect(): a follower\'s pending presence.get is asked again, not rejected', async () => {
    const { ws, tab, settle } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const got = outcome(b.pulse.channel('room').presence.get());
    await settle();
    a.pulse.disconnect();
    await settle();
    ws.last.accept();
    await settle();
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 0, members: [] });
    await settle();
    expect(got.v).not.toMatchObject({ code: 'disconnected' });
  });

  it('another tab posts a malformed answer {k:"res", id:0, ok:false}: nothing throws, the publish keeps its deadline and settles', async () => {
    const { ws, tab, settle, clock, rogue } = setup();
    tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    ws.autoPong = false;
    const sent = outcome(b.pulse.channel('x').publish('m', { n: 1 }));
    await settle();
    const r = rogue();
    const uncaught: unknown[] = [];
    const onErr = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onErr);
    r.postMessage({ k: 'res', id: 0, ok: false });
    await settle();
    process.off('uncaughtException', onErr);
    ws.autoPong = true;
    ws.last.receive({ type: 'pong' });
    for (let t = 0; t < 400_000 && !sent.done; t += 5_000) {
      clock.advance(5_000);
      await settle();
    }
    expect({ uncaught: uncaught.map(String), settled: sent.done }).toEqual({ uncaught: [], settled: true });
  });

  it('an answer without `to` resolves no tab\'s request', async () => {
    const { ws, tab, settle, rogue } = setup();
    tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    ws.autoPong = false;
    ws.last.drop(); // leader now disconnected: the publish waits in the leader's queue
    await settle();
    const sent = outcome(b.pulse.channel('x').publish('m', { n: 1 }));
    await settle();
    rogue().postMessage({ k: 'res', id: 0, ok: true });
    await settle();
    expect(sent.v).not.toBe('resolved');
  });

  it('a null message on the channel throws in no tab', async () => {
    const { tab, settle, rogue } = setup();
    tab();
    tab();
    await settle();
    const uncaught: unknown[] = [];
    const onErr = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onErr);
    rogue().postMessage(null);
    await settle();
    process.off('uncaughtException', onErr);
    expect(uncaught.map(String)).toEqual([]);
  });

  it('a follower request that times out rejects with `timeout` and emits it as an `error` event', async () => {
    const { browser, clock, settle, tab } = setup();
    // Another tab holds the lock and never answers.
    void browser.tab().env.locks!.request(LOCK, {}, () => new Promise<void>(() => undefined));
    const { pulse, errors } = tab('u1', undefined, { connectionStateTtlMs: 1_000 });
    const sent = outcome(pulse.channel('x').publish('m', { n: 1 }));
    for (let e = 0; e <= SILENCE_MS + 10_000 && !sent.done; e += 1_000) {
      clock.advance(1_000);
      await settle();
    }
    expect(sent.v).toMatchObject({ code: 'timeout' });
    expect(errors).toEqual([expect.objectContaining({ code: 'timeout' })]);
  });

  it('a follower\'s disconnect() rejects its pending work with `disconnected` and emits it, as the engine does', async () => {
    const { ws, tab, settle } = setup();
    tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    ws.autoPong = false;
    const sent = outcome(b.pulse.channel('x').publish('m', { n: 1 }));
    await settle();
    b.pulse.disconnect();
    await settle();
    expect(sent.v).toMatchObject({ code: 'disconnected' });
    expect(b.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'disconnected' })]));
  });

  it('after a handover the shared member carries the data of the tab that entered last, whatever order the replays come in', async () => {
    const { ws, tab, settle, browser, clock } = setup();
    const a = tab();
    const c = tab(); // next in the lock queue
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    await b.pulse.channel('room').presence.enter({ tab: 'b' });
    await settle();
    clock.advance(1);
    await c.pulse.channel('room').presence.enter({ tab: 'c' }); // c entered last: member data {tab:'c'}
    await settle();
    a.crash();
    ws.last.drop();
    await settle();
    expect(browser.holder(LOCK)?.env).toBe(c.env);
    ws.last.accept();
    await settle();
    const presence = ws.last.frames.filter((f) => f.action.startsWith('presence_'));
    expect(presence.at(-1)).toMatchObject({ data: { tab: 'c' } });
  });

  it('a follower publishes data whose getter throws a string: rejects with invalid_argument, no synchronous throw', async () => {
    const { ws, tab, settle } = setup();
    tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const data = {
      get type(): string {
        // eslint-disable-next-line no-throw-literal -- what user data may throw is the point
        throw 'boom';
      },
    };
    let thrown: unknown;
    let sent: Promise<void> | undefined;
    try {
      sent = b.pulse.channel('x').publish('m', data);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeUndefined();
    await expect(sent).rejects.toMatchObject({ code: 'invalid_argument', cause: 'boom' });
    expect(b.errors).toEqual([expect.objectContaining({ code: 'invalid_argument' })]);
  });

  it('a follower\'s enter refused by the service is not entered again by the next leader', async () => {
    const { ws, tab, settle, browser } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    ws.autoPong = false;
    const entered = b.pulse.channel('room').presence.enter({ tab: 'b' });
    const outcomeOf = entered.then(() => 'resolved', (e: { code: string }) => e.code);
    await settle();
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'too many presence channels', channel: 'room' });
    ws.last.pong();
    await settle();
    expect(await outcomeOf).toBe('limit_exceeded');
    ws.autoPong = true;
    const first = ws.last;
    a.crash();
    first.drop();
    await settle();
    expect(browser.holder(LOCK)?.env).toBe(b.env);
    expect(ws.last).not.toBe(first);
    ws.last.accept();
    await settle();
    expect(b.pulse.state).toBe('connected');
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([]);
  });

  // Second review: the leader kept a refused tab's entry and applied it later; one tab's rejected
  // enter dropped another tab's membership.
  it("a follower's enter refused by the service is not applied later by the leader (when another tab leaves)", async () => {
    const { ws, tab, settle } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    ws.autoPong = false;
    const pings = () => ws.last.actions.filter((f) => f.action === 'ping').length;
    const answered = pings();
    const entered = b.pulse.channel('room').presence.enter({ tab: 'b' });
    const outcomeOf = entered.then(() => 'resolved', (e: { code: string }) => e.code);
    await settle();
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'too many presence channels', channel: 'room' });
    ws.last.pong();
    await settle();
    expect(await outcomeOf).toBe('limit_exceeded');
    ws.autoPong = true;
    // The refusal also counts against the subscribe of that window: the channel is subscribed
    // again, and the leave the leader told the service after the refusal is checked, with pings
    // that went out while pongs were off. The service answers them.
    for (let i = answered + 1, sent = pings(); i < sent; i++) ws.last.pong();
    // b knows it is not entered:
    await b.pulse.channel('room').presence.leave();
    await settle();
    // Later the leader tab enters and leaves.
    await a.pulse.channel('room').presence.enter({ tab: 'a' });
    await settle();
    const before = ws.last.frames.length;
    await a.pulse.channel('room').presence.leave();
    await settle();
    // Nobody is entered any more: the member must leave, not take b's refused data.
    expect(ws.last.frames.slice(before).filter((f) => f.action.startsWith('presence_'))).toEqual([{ action: 'presence_leave', channel: 'room' }]);
  });

  it("another tab's rejected enter does not drop the membership of a tab whose enter succeeded (after a reconnect)", async () => {
    const { ws, tab, settle, clock } = setup();
    const a = tab('u1', undefined, { connectionStateTtlMs: 5_000 });
    const b = tab('u1', undefined, { connectionStateTtlMs: 5_000 });
    await settle();
    ws.last.accept();
    await settle();
    await a.pulse.channel('room').presence.enter({ tab: 'a' });
    await settle();
    ws.last.drop(1006);
    await settle();
    const bEntered = b.pulse.channel('room').presence.enter({ tab: 'b' }).then(() => 'resolved', (e: { code: string }) => e.code);
    for (let i = 0; i < 8; i++) {
      clock.advance(1_000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
      await settle();
    }
    expect(await bEntered).toBe('timeout');
    const count = ws.sockets.length;
    for (let i = 0; i < 120 && ws.sockets.length === count; i++) {
      clock.advance(1_000);
      await settle();
    }
    ws.last.accept();
    await settle();
    expect(a.pulse.state).toBe('connected');
    expect(ws.last.frames.map((f) => f.action)).toContain('subscribe');
    // a entered (resolved) and never left: the shared member is entered again on the new connection.
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([{ action: 'presence_enter', channel: 'room', data: { tab: 'a' } }]);
  });

  // Third review: rejections with several tabs' changes in flight.
  it('two tabs enter in the same window and both are refused: nobody is entered (no member left on the service, none re-entered)', async () => {
    const { ws, tab, settle, clock } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    a.pulse.channel('room').subscribe('m', () => {});
    await settle();
    ws.autoPong = false;
    const ea = a.pulse.channel('room').presence.enter({ tab: 'a' }).catch((e) => e);
    await settle();
    const eb = b.pulse.channel('room').presence.enter({ tab: 'b' }).catch((e) => e);
    await settle();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    ws.last.pong();
    await settle();
    expect(codeOf(await ea)).toBe('rate_limited');
    expect(codeOf(await eb)).toBe('rate_limited');
    ws.autoPong = true;
    await settle();
    // Both were told "not entered": a leave goes out on the connection, and a later connection enters nobody.
    const first = ws.last;
    const lastPresence = first.frames.filter((f) => String(f.action).startsWith('presence_')).pop();
    expect(lastPresence).toEqual({ action: 'presence_leave', channel: 'room' });
    first.drop(1006);
    clock.advance(1_000);
    await settle();
    ws.last.accept();
    await settle();
    expect(a.pulse.state).toBe('connected');
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([]);
  });

  it('b (entered last) leaves while the leader is disconnected past the TTL: the member does not come back with b\'s data', async () => {
    const { ws, tab, settle, clock } = setup();
    const a = tab('u1', undefined, { connectionStateTtlMs: 5_000 });
    const b = tab('u1', undefined, { connectionStateTtlMs: 5_000 });
    await settle();
    ws.last.accept();
    await settle();
    await a.pulse.channel('room').presence.enter({ tab: 'a' });
    await settle();
    clock.advance(10);
    await b.pulse.channel('room').presence.enter({ tab: 'b' });
    await settle();
    ws.last.drop(1006);
    await settle();
    const left = b.pulse.channel('room').presence.leave().then(() => 'resolved', (e) => codeOf(e));
    for (let i = 0; i < 8; i++) {
      clock.advance(1_000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
      await settle();
    }
    await settle();
    const count = ws.sockets.length;
    for (let i = 0; i < 120 && ws.sockets.length === count; i++) {
      clock.advance(1_000);
      await settle();
    }
    ws.last.accept();
    await settle();
    expect(a.pulse.state).toBe('connected');
    const outcome = await left;
    // b is not entered (its own record says so whatever its leave's outcome); a still is.
    expect({ outcome, enters: ws.last.frames.filter((f) => f.action === 'presence_enter') }).toEqual({
      outcome,
      enters: [{ action: 'presence_enter', channel: 'room', data: { tab: 'a' } }],
    });
  });

  it('two tabs entered in the same millisecond; the older tab\'s update is refused; then the newer tab leaves: the member takes the remaining tab\'s data', async () => {
    const { ws, tab, settle, clock } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    a.pulse.channel('room').subscribe('m', () => {});
    await a.pulse.channel('room').presence.enter({ tab: 'a' });
    await b.pulse.channel('room').presence.enter({ tab: 'b' }); // same clock ms as a's
    await settle();
    clock.advance(10);
    ws.autoPong = false;
    const refused = a.pulse.channel('room').publish('m', { n: 1 }).catch((e) => e);
    const updated = a.pulse.channel('room').presence.update({ tab: 'a2' }).catch((e) => e);
    await settle();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'slow down', channel: 'room' });
    ws.last.pong();
    await settle();
    await refused;
    expect(codeOf(await updated)).toBe('rate_limited');
    ws.autoPong = true;
    await b.pulse.channel('room').presence.leave();
    await settle();
    // Only a is entered now, with its data as it was ({ tab: 'a' }): a new connection enters that, not b's.
    ws.last.drop(1006);
    clock.advance(1_000);
    await settle();
    ws.last.accept();
    await settle();
    expect(ws.last.frames.filter((f) => f.action === 'presence_enter')).toEqual([{ action: 'presence_enter', channel: 'room', data: { tab: 'a' } }]);
  });
});
