import { createFakeClock } from '@openkbs-pulse/mock-server';
import { CLOSE_CODES } from '@openkbs-pulse/protocol';
import { describe, expect, it, vi } from 'vitest';
// The sharing code is not in pulse.js (see bundle notes in docs/share-connection.md): the source face is tested.
import { Pulse } from '../src/pulse.js';
import { SILENCE_MS } from '../src/share.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { makeToken } from './helpers.js';
import { LOCK, opened, setup } from './share-tabs.js';

describe('shareConnection (fake Web Locks and BroadcastChannel)', () => {
  it('three tabs share one socket; each gets what it subscribed to, once; a follower publish goes out and resolves', async () => {
    const { ws, tab, settle } = setup();
    const [a, b, c] = [tab(), tab(), tab()];
    await settle();
    expect(ws.sockets).toHaveLength(1);
    ws.last.accept();
    await settle();
    for (const t of [a, b, c]) expect(t.pulse.state).toBe('connected');

    const got = { a: [] as unknown[], b: [] as unknown[], c: [] as unknown[] };
    a.pulse.channel('x').subscribe('m', (d) => got.a.push(d));
    b.pulse.channel('x').subscribe('m', (d) => got.b.push(d));
    c.pulse.channel('y').subscribe('m', (d) => got.c.push(d));
    await settle();
    // One subscription per channel on the server, however many tabs want it.
    expect(ws.last.frames).toEqual([
      { action: 'subscribe', channel: 'x' },
      { action: 'subscribe', channel: 'y' },
    ]);
    ws.last.receive({ type: 'message', channel: 'x', data: { type: 'm', n: 1 }, timestamp: 1 });
    ws.last.receive({ type: 'message', channel: 'y', data: { type: 'm', n: 2 }, timestamp: 2 });
    await settle();
    expect(got).toEqual({ a: [{ type: 'm', n: 1 }], b: [{ type: 'm', n: 1 }], c: [{ type: 'm', n: 2 }] });

    const sent = c.pulse.channel('x').publish('m', { n: 3 });
    await settle();
    await expect(sent).resolves.toBeUndefined();
    expect(ws.last.frames.at(-1)).toEqual({ action: 'publish', channel: 'x', event: 'm', data: { n: 3 } });
    expect(ws.sockets).toHaveLength(1);
  });

  it('the server subscription goes when the last tab stops listening', async () => {
    const { ws, tab, settle } = setup();
    const [a, b] = [tab(), tab()];
    await settle();
    ws.last.accept();
    const offA = a.pulse.channel('x').subscribe('m', () => undefined);
    const offB = b.pulse.channel('x').subscribe('m', () => undefined);
    await settle();
    offA();
    await settle();
    expect(ws.last.frames).toEqual([{ action: 'subscribe', channel: 'x' }]);
    offB();
    await settle();
    expect(ws.last.frames).toEqual([
      { action: 'subscribe', channel: 'x' },
      { action: 'unsubscribe', channel: 'x' },
    ]);
  });

  it('a refusal reaches the follower that asked with the same code; state changes are mirrored', async () => {
    const { ws, tab, settle } = setup();
    const a = tab();
    const b = tab();
    await settle();
    const states: string[] = [];
    b.pulse.onStateChange((s) => states.push(s));
    ws.autoPong = false;
    ws.last.accept();
    await settle();
    const sent = b.pulse.channel('x').publish('m', { n: 1 });
    await settle();
    ws.last.receive({ type: 'error', code: 'forbidden', error: 'not allowed', channel: 'x' });
    await settle();
    await expect(sent).rejects.toMatchObject({ name: 'PulseError', code: 'forbidden' });
    // Bad input is refused in the tab itself, as without sharing.
    await expect(b.pulse.channel('x').publish('m', 5 as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(states).toContain('connected');
    a.pulse.disconnect();
    expect(a.pulse.state).toBe('disconnected');
  });

  it('the leader crashes mid-stream: another tab connects, resubscribes, re-enters presence and resends what was not confirmed', async () => {
    const { ws, tab, settle, browser } = setup();
    const a = tab();
    const b = tab();
    const c = tab();
    await settle();
    ws.last.accept();
    const got: unknown[] = [];
    b.pulse.channel('x').subscribe('m', (d) => got.push(d));
    c.pulse.channel('y').subscribe('m', () => undefined);
    await b.pulse.channel('room').presence.enter({ name: 'B' });
    await settle();
    ws.autoPong = false;
    // Sent on the old socket, never confirmed: must come again on the new one.
    const sent = b.pulse.channel('x').publish('m', { n: 1 });
    await settle();
    expect(ws.last.frames.at(-1)).toMatchObject({ action: 'publish', data: { n: 1 } });
    const old = ws.last;
    a.crash();
    old.drop();
    await settle();
    expect(browser.holder(LOCK)?.env).toBe(b.env);
    expect(ws.sockets).toHaveLength(2);
    ws.autoPong = true;
    ws.last.accept();
    await settle();
    await expect(sent).resolves.toBeUndefined();
    const frames = ws.last.frames;
    expect(frames).toEqual(
      expect.arrayContaining([
        { action: 'subscribe', channel: 'x' },
        { action: 'subscribe', channel: 'y' },
        { action: 'subscribe', channel: 'room' },
        { action: 'presence_enter', channel: 'room', data: { name: 'B' } },
        { action: 'publish', channel: 'x', event: 'm', data: { n: 1 } },
      ]),
    );
    ws.last.receive({ type: 'message', channel: 'x', data: { type: 'm', n: 2 }, timestamp: 1 });
    await settle();
    expect(got).toEqual([{ type: 'm', n: 2 }]);
    expect(c.pulse.state).toBe('connected');
  });

  it('presence: one member per user, with the latest tab data; it leaves when the last tab leaves', async () => {
    const { ws, tab, settle } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await a.pulse.channel('room').presence.enter({ tab: 'a' });
    await b.pulse.channel('room').presence.enter({ tab: 'b' });
    await settle();
    await a.pulse.channel('room').presence.leave();
    await settle();
    // b entered last: a leaving changes nothing.
    expect(ws.last.frames.filter((f) => f.action.startsWith('presence_'))).toEqual([
      { action: 'presence_enter', channel: 'room', data: { tab: 'a' } },
      { action: 'presence_update', channel: 'room', data: { tab: 'b' } },
    ]);
    await a.pulse.channel('room').presence.enter({ tab: 'a2' });
    await b.pulse.channel('room').presence.leave();
    await settle();
    await a.pulse.channel('room').presence.leave();
    await settle();
    expect(ws.last.frames.filter((f) => f.action.startsWith('presence_')).slice(2)).toEqual([
      { action: 'presence_update', channel: 'room', data: { tab: 'a2' } },
      { action: 'presence_leave', channel: 'room' },
    ]);
  });

  it('members and count are the same in every tab that watches presence', async () => {
    const { ws, tab, settle } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    const counts: number[] = [];
    a.pulse.channel('room').presence.subscribe(() => undefined);
    await settle();
    const member = (n: number) => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n });
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 2, members: [member(1), member(2)] });
    await settle();
    // A tab that starts watching later gets the set as it is.
    b.pulse.channel('room').presence.subscribe((list) => counts.push(list.length));
    await settle();
    ws.last.receive({ type: 'presence', action: 'enter', channel: 'room', member: member(3) });
    await settle();
    expect(counts).toEqual([2, 3]);
    expect(b.pulse.channel('room').presence.count).toBe(3);
    expect(a.pulse.channel('room').presence.count).toBe(3);
  });

  it('two users get two connections', async () => {
    const { ws, tab, settle } = setup();
    tab('u1');
    tab('u2');
    await settle();
    expect(ws.sockets).toHaveLength(2);
  });

  it('without Web Locks or BroadcastChannel each client connects on its own', () => {
    // Node 20 has neither; Node 22+ and browsers may have both: take them away for this test.
    vi.stubGlobal('BroadcastChannel', undefined);
    vi.stubGlobal('navigator', { ...globalThis.navigator, locks: undefined });
    try {
      const clock = createFakeClock();
      const ws = createFakeWebSocket(false);
      const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 });
      for (let i = 0; i < 3; i++) opened.push(new Pulse({ kbId: 'kb', token, WebSocket: ws.WebSocket, clock, shareConnection: true }));
      expect(ws.sockets).toHaveLength(3);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a frozen leader (silent past SILENCE_MS) loses the lock; when it wakes up it follows', async () => {
    const { ws, tab, settle, browser, clock } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    const got: unknown[] = [];
    b.pulse.channel('x').subscribe('m', (d) => got.push(d));
    await settle();
    // Frozen: its messages stop going out; it keeps its lock.
    const first = ws.last;
    const frozen = vi.spyOn(a.env.BroadcastChannel!.prototype, 'postMessage').mockImplementation(() => undefined);
    for (let t = 0; t <= SILENCE_MS + 10_000; t += 5_000) {
      clock.advance(5_000);
      await settle();
    }
    expect(browser.holder(LOCK)?.env).toBe(b.env);
    // The old leader learnt it lost the lock and closed its socket.
    expect(first.closedByClient).toBe(true);
    expect(ws.sockets).toHaveLength(2);
    ws.last.accept();
    await settle();
    expect(ws.last.frames).toEqual([{ action: 'subscribe', channel: 'x' }]);
    // Awake again, it follows the new leader: its channel comes through the new socket.
    frozen.mockRestore();
    const gotA: unknown[] = [];
    a.pulse.channel('z').subscribe('m', (d) => gotA.push(d));
    await settle();
    expect(ws.last.frames.at(-1)).toEqual({ action: 'subscribe', channel: 'z' });
    ws.last.receive({ type: 'message', channel: 'z', data: { type: 'm', n: 1 }, timestamp: 1 });
    await settle();
    expect(gotA).toEqual([{ type: 'm', n: 1 }]);
    expect(a.pulse.state).toBe('connected');
    expect(ws.sockets).toHaveLength(2);
  });

  it('the leader refreshes an expired token with its own authCallback; followers need none', async () => {
    const { ws, tab, settle, browser } = setup();
    const fresh = makeToken({ userId: 'u1', endpoint: 'wss://pulse.test', exp: Math.floor(Date.UTC(2030, 0, 1) / 1000) });
    let calls = 0;
    const a = tab('u1', browser, { authCallback: () => (calls++, fresh) });
    const b = tab();
    await settle();
    ws.last.accept();
    b.pulse.channel('x').subscribe('m', () => undefined);
    await settle();
    ws.last.drop(CLOSE_CODES.tokenExpired, 'token expired');
    await settle();
    expect(calls).toBe(1);
    expect(ws.sockets).toHaveLength(2);
    expect(ws.last.query.get('token')).toBe(fresh);
    ws.last.accept();
    await settle();
    expect(b.pulse.state).toBe('connected');
    expect(ws.last.frames).toEqual([{ action: 'subscribe', channel: 'x' }]);
    await b.pulse.channel('x').publish('m', { n: 1 });
    expect(a.pulse.state).toBe('connected');
  });

  it('Pulse.Realtime tabs share too: one socket, messages and connection state in the follower', async () => {
    const { ws, realtimeTab, settle } = setup();
    const a = realtimeTab();
    const b = realtimeTab();
    await settle();
    expect(ws.sockets).toHaveLength(1);
    ws.last.accept();
    await settle();
    expect(b.realtime.connection.state).toBe('connected');
    const names: unknown[] = [];
    b.realtime.channels.get('posts').subscribe('new_post', (m) => names.push(m.name));
    await settle();
    ws.last.receive({ type: 'message', channel: 'posts', data: { type: 'new_post', id: 1 }, timestamp: 1 });
    await settle();
    expect(names).toEqual(['new_post']);
    await b.realtime.channels.get('posts').publish('new_post', { id: 2 });
    expect(ws.last.frames.at(-1)).toEqual({ action: 'publish', channel: 'posts', event: 'new_post', data: { id: 2 } });
    a.realtime.close();
  });

  it('a follower that disconnects drops its subscriptions and rejects its pending work; connect() brings them back', async () => {
    const { ws, tab, settle } = setup();
    const a = tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    b.pulse.channel('x').subscribe('m', () => undefined);
    await settle();
    ws.autoPong = false;
    const sent = b.pulse.channel('x').publish('m', { n: 1 });
    await settle();
    b.pulse.disconnect();
    await expect(sent).rejects.toMatchObject({ code: 'disconnected' });
    expect(b.pulse.state).toBe('disconnected');
    await settle();
    expect(ws.last.frames.filter((f) => f.action !== 'publish')).toEqual([
      { action: 'subscribe', channel: 'x' },
      { action: 'unsubscribe', channel: 'x' },
    ]);
    b.pulse.connect();
    await settle();
    expect(b.pulse.state).toBe('connected');
    expect(ws.last.frames.at(-1)).toEqual({ action: 'subscribe', channel: 'x' });
    expect(ws.sockets).toHaveLength(1);
    expect(a.pulse.state).toBe('connected');
  });

  it('a request nobody answers rejects with timeout (the tab holding the lock is silent)', async () => {
    const { browser, clock, settle, options } = setup();
    // A holder that never answers nor beats (a frozen tab of another build, say).
    void browser.tab().env.locks!.request(LOCK, {}, () => new Promise<void>(() => undefined));
    const t = browser.tab();
    vi.stubGlobal('navigator', { locks: t.env.locks });
    vi.stubGlobal('BroadcastChannel', t.env.BroadcastChannel);
    const pulse = new Pulse({ ...options(), connectionStateTtlMs: 1_000 });
    vi.unstubAllGlobals();
    opened.push(pulse);
    const sent = pulse.channel('x').publish('m', { n: 1 });
    let outcome: unknown;
    sent.then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    for (let elapsed = 0; elapsed <= SILENCE_MS + 10_000 && outcome === undefined; elapsed += 1_000) {
      clock.advance(1_000);
      await settle();
    }
    expect(outcome).toMatchObject({ name: 'PulseError', code: 'timeout' });
  });
});

describe('shareConnection: options checked as without sharing', () => {
  it('an expired token with nothing to refresh it throws token_expired from the constructor', () => {
    const { tab } = setup();
    const expired = makeToken({ userId: 'u1', endpoint: 'wss://pulse.test', exp: 1 });
    expect(() => tab('u1', undefined, { token: expired })).toThrow(expect.objectContaining({ code: 'token_expired' }));
    // With a way to refresh it, or without connecting now, the client is made.
    expect(() => tab('u1', undefined, { token: expired, authCallback: async () => makeToken({ userId: 'u1' }), autoConnect: false })).not.toThrow();
  });
});
