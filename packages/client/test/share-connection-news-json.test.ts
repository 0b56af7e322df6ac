// An outside review found: message news from another tab could carry values JSON never has (a
// BigInt, a Map), and was delivered by its `ev` whatever its data.type; now a tab takes a message
// as the engine takes the service's: through JSON and checkServerFrame, to its data.type's listeners.
//
// Expected: a `msg` from another tab reaches listeners only when it is a frame the service could
// have sent: what checkServerFrame takes from the wire. A structured clone carries values JSON
// never has (BigInt, Map, Set, Date, undefined, NaN); delivered, the app's listener (one that
// JSON.stringify()s the data to store or forward it) throws, reported as "[pulse] a listener
// threw", blamed on the app. And the engine picks listeners by data.type, so a 'chat' listener
// must not get a 'delete' payload because another tab named the event 'chat'. The same holds for
// presence news: a member whose data holds a BigInt is no member the service could list.
import { describe, expect, it, vi } from 'vitest';
import { codeOf, connectedFollower } from './share-tabs.js';

describe('shareConnection: message news must be a frame the service could send', () => {
  it('a message whose data holds a BigInt (impossible in JSON) is an `update`, not delivered', async () => {
    const { b, settle, rogue } = await connectedFollower();
    const got: unknown[] = [];
    b.realtime.channels.get('x').subscribe('m', (m) => void got.push(JSON.stringify(m.data)));
    await settle();
    const updates: unknown[] = [];
    b.realtime.connection.on('update', (change) => updates.push(codeOf(change.reason)));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      rogue().postMessage({ k: 'msg', ch: 'x', ev: 'm', f: { type: 'message', channel: 'x', data: { type: 'm', n: 10n, when: new Map() }, timestamp: 1 } });
      await settle();
      expect({ listenerErrors: logged.mock.calls.map((c) => String(c[0])), updates, got }).toEqual({ listenerErrors: [], updates: ['invalid_message'], got: [] });
    } finally {
      logged.mockRestore();
    }
  });

  it('a message whose event name (ev) is not its data.type is not delivered to that event\'s listeners', async () => {
    const { b, settle, rogue } = await connectedFollower();
    const chat: unknown[] = [];
    b.realtime.channels.get('x').subscribe('chat', (m) => void chat.push(m.data));
    await settle();
    rogue().postMessage({ k: 'msg', ch: 'x', ev: 'chat', f: { type: 'message', channel: 'x', data: { type: 'delete', all: true }, timestamp: 1 } });
    await settle();
    // The engine delivers a service frame to the listeners of its data.type only.
    expect(chat).toEqual([]);
  });

  it('presence news whose member data holds a BigInt is an `update`, and changes nothing', async () => {
    const { ws, b, settle, rogue } = await connectedFollower();
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
    const member = { userId: 'u', connectionId: 'c1', data: { n: 10n } };
    rogue().postMessage({ k: 'pres', ch: 'x', type: 'enter', v: member, members: [member], count: 1, synced: true });
    await settle();
    expect({ updates, events, members: await presence.get() }).toEqual({ updates: ['invalid_message'], events: [], members: [] });
  });
});
