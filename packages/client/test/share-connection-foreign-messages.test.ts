// An outside review found: messages on the BroadcastChannel that are not one of ours (another
// build of the client, another script of the origin) were taken for something else (an unknown
// request op ran as a presence enter, an unknown state became the connection state, a message
// without a frame was blamed on the app's listener) or dropped without a report.
import { describe, expect, it, vi } from 'vitest';
import { codeOf, connectedFollower, setup } from './share-tabs.js';

describe('shareConnection: messages from other tabs and other builds', () => {
  it('a request with an op this build does not know (a newer tab asks "history") is refused, not run as a presence enter', async () => {
    const { ws, tab, settle, rogue } = setup();
    tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    await b.pulse.channel('room').presence.enter({ name: 'B' });
    await settle();
    const before = ws.last.frames.length;
    // A tab of a newer build asks for something this leader does not know.
    const r = rogue();
    const answers: unknown[] = [];
    r.onmessage = (e) => answers.push(e.data);
    r.postMessage({ k: 'req', tab: 'newer-tab', id: 1, op: 'history', ch: 'room' });
    await settle();
    // Run as `enter` with no data, the newest entry, the user's shared member would lose B's data.
    expect(ws.last.frames.slice(before)).toEqual([]);
    expect(answers).toContainEqual(expect.objectContaining({ k: 'res', to: 'newer-tab', id: 1, ok: false }));
  });

  it('a message that is not one of ours ({ k: "zzz" }, {}) is reported as an `update` (invalid_message), not silently dropped', async () => {
    const { b, settle, rogue } = await connectedFollower();
    const updates: unknown[] = [];
    b.realtime.connection.on('update', (change) => updates.push(codeOf(change.reason)));
    const r = rogue();
    // Control: a number is reported (it makes `'to' in message` throw).
    r.postMessage(42);
    await settle();
    expect(updates).toEqual(['invalid_message']);
    // docs/share-connection.md: "a message on the channel that is not one of ours (another build
    // of the client, a bug) is ignored and reported as an `update` event (`invalid_message`)".
    r.postMessage({ k: 'zzz' });
    r.postMessage({});
    await settle();
    expect(updates).toEqual(['invalid_message', 'invalid_message', 'invalid_message']);
  });

  it('a state message with a state no build has (s: "bogus") does not become the connection state', async () => {
    const { b, settle, rogue } = await connectedFollower();
    rogue().postMessage({ k: 'state', s: 'bogus', r: false });
    await settle();
    // As the connection state, 'bogus' would refuse every publish of the tab (not_connected)
    // while the shared socket is up.
    expect(b.realtime.connection.state).toBe('connected');
    await expect(b.realtime.channels.get('x').publish('m', { n: 1 })).resolves.toBeUndefined();
  });

  it('a channel message without a frame ({ k: "msg", f: null }) is an `update`, not blamed on the app\'s listener', async () => {
    const { b, settle, rogue } = await connectedFollower();
    b.realtime.channels.get('x').subscribe('m', () => undefined);
    const updates: unknown[] = [];
    b.realtime.connection.on('update', (change) => updates.push(codeOf(change.reason)));
    await settle();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      rogue().postMessage({ k: 'msg', ch: 'x', ev: 'm', f: null });
      await settle();
      // Unchecked, the face's wrapper reads null.data, and its TypeError goes to onListenerError /
      // console.error as "[pulse] a listener threw", as if the app's callback had failed.
      expect({ listenerErrors: logged.mock.calls.map((c) => String(c[0])), updates }).toEqual({ listenerErrors: [], updates: ['invalid_message'] });
    } finally {
      logged.mockRestore();
    }
  });

  // An outside review found: an `err` message was emitted under whatever event name its `t` gave,
  // so { k: "err", t: "state" } reached connection listeners as a state change that was a
  // PulseError (no current, no previous), and nothing was reported.
  it('{ k: "err", t: "state" } does not reach connection listeners as a state change; it is reported as an update', async () => {
    const { b, settle, rogue } = await connectedFollower();
    const changes: unknown[] = [];
    const updates: unknown[] = [];
    b.realtime.connection.on((change) => changes.push(change));
    b.realtime.connection.on('update', (change) => updates.push(codeOf(change.reason)));
    rogue().postMessage({ k: 'err', t: 'state', e: { code: 'server_error', message: 'not a state change' } });
    await settle();
    // Every change a listener gets is a StateChange with a state.
    expect(changes.map((c) => (c as { current?: unknown }).current)).not.toContain(undefined);
    // The one change is the report itself (a listener of every event gets `update` events too).
    expect(changes.map((c) => [(c as { current?: unknown }).current, codeOf((c as { reason?: unknown }).reason)])).toEqual([['connected', 'invalid_message']]);
    expect(updates).toEqual(['invalid_message']);
  });

  // An outside review found: a `pres` message was not checked at all: its count, type, event value
  // and member list went to the app as posted.
  it('a malformed presence message (no member list, a count that is no number, an unknown type) is an `update` and changes nothing', async () => {
    const { ws, b, settle, rogue } = await connectedFollower();
    const presence = b.realtime.channels.get('x').presence;
    const events: unknown[] = [];
    const subscribed = presence.subscribe((m) => void events.push(m));
    await settle();
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'x', count: 1, members: [{ userId: 'u', connectionId: 'c0', data: 0 }] });
    await subscribed;
    await settle();
    const before = await presence.get();
    expect(before).toHaveLength(1);
    events.length = 0;
    const updates: unknown[] = [];
    b.realtime.connection.on('update', (change) => updates.push(codeOf(change.reason)));
    const member = { userId: 'u', connectionId: 'c1', data: 1 };
    const r = rogue();
    r.postMessage({ k: 'pres', ch: 'x', type: 'enter', v: member, members: 'nope', count: 1, synced: true });
    r.postMessage({ k: 'pres', ch: 'x', type: 'enter', v: member, members: [member], count: '1', synced: true });
    r.postMessage({ k: 'pres', ch: 'x', type: 'zzz', v: member, members: [member], count: 1, synced: true });
    r.postMessage({ k: 'pres', ch: 'x', type: 'enter', v: member, members: [null], count: 1, synced: true });
    r.postMessage({ k: 'pres', ch: 'x', type: 'enter', v: null, members: [member], count: 1, synced: true });
    await settle();
    expect(updates).toEqual(Array(5).fill('invalid_message'));
    expect(events).toEqual([]);
    expect(await presence.get()).toEqual(before);
  });

  // The same rule as the engine's for the service's frames (one rule: checkServerFrame and
  // isPresenceMember of the protocol). Before, the tab's own looser checks took a message frame
  // with a negative timestamp or data nested past the limit, and a member without a userId.
  it('news the protocol refuses from the service (negative timestamp, nesting past 64, a member without userId) is an `update`', async () => {
    const { ws, b, settle, rogue } = await connectedFollower();
    const got: unknown[] = [];
    b.realtime.channels.get('x').subscribe('m', (m) => void got.push(m.data));
    const presence = b.realtime.channels.get('x').presence;
    const events: unknown[] = [];
    const subscribed = presence.subscribe((m) => void events.push(m));
    await settle();
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'x', count: 0, members: [] });
    await subscribed;
    await settle();
    events.length = 0;
    const updates: unknown[] = [];
    b.realtime.connection.on('update', (change) => updates.push(codeOf(change.reason)));
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = { d: deep };
    const frame = (data: unknown, timestamp = 1) => ({ type: 'message', channel: 'x', data, timestamp });
    const r = rogue();
    r.postMessage({ k: 'msg', ch: 'x', ev: 'm', f: frame({ type: 'm' }, -1) });
    r.postMessage({ k: 'msg', ch: 'x', ev: 'm', f: frame({ type: 'm', deep }) });
    const noUser = { connectionId: 'c1' };
    r.postMessage({ k: 'pres', ch: 'x', type: 'enter', v: noUser, members: [noUser], count: 1, synced: true });
    await settle();
    expect({ updates, got, events }).toEqual({ updates: Array(3).fill('invalid_message'), got: [], events: [] });
    // Control: a frame the protocol takes is delivered.
    r.postMessage({ k: 'msg', ch: 'x', ev: 'm', f: frame({ type: 'm', ok: true }) });
    await settle();
    expect(got).toEqual([{ type: 'm', ok: true }]);
  });
});
