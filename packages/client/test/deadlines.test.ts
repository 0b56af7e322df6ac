// Issue 11, "no deadlines": every wait of the client is bounded. A token refresh by authTimeoutMs;
// held publishes, presence changes and presence reads by connectionStateTtlMs (then the client is
// suspended: held work rejects with `timeout`, new work rejects at once, retries go on every 30 s).
import type { PulseError } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { isPulseError, type StateChange } from '../src/index.js';
import { flush, makeToken, setupPulse, setupRealtime } from './helpers.js';

const HOUR = 3_600_000;

describe('token refresh deadline (authTimeoutMs)', () => {
  it('an authCallback that never answers is a timeout, reported, and asked again with backoff', async () => {
    let calls = 0;
    const { ws, pulse, clock } = setupPulse({
      authCallback: () => {
        calls++;
        return new Promise<string>(() => {}); // never answers
      },
    });
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.accept();
    ws.last.drop(4001);
    await flush();
    expect(calls).toBe(1);
    clock.advance(10_000);
    await flush();
    expect(errors.map((e) => e.code)).toEqual(['timeout']);
    expect(errors[0]!.message).toMatch(/authTimeoutMs/);
    expect(pulse.state).toBe('reconnecting');
    clock.advance(1000); // backoff, then the socket with the old token is refused as expired again...
    ws.last.drop(4001);
    await flush();
    expect(calls).toBe(2);
  });
});

describe('work held without a connection (connectionStateTtlMs)', () => {
  it('publish() and presence.get() reject with timeout after 2 minutes of failed reconnects, not 24 hours later', async () => {
    const { ws, realtime, clock } = setupRealtime();
    const changes: StateChange[] = [];
    realtime.connection.on((c) => changes.push(c));
    ws.last.accept();
    const posts = realtime.channels.get('posts');
    ws.last.drop(1006);
    const published = posts.publish('p', { n: 1 }).catch((e: unknown) => e);
    const members = posts.presence.get().catch((e: unknown) => e);
    let settled = false;
    void Promise.all([published, members]).then(() => (settled = true));
    // Every attempt fails (the fake sockets never open and are dropped).
    for (let t = 0; t < 119; t++) {
      clock.advance(1000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    await flush();
    expect(settled).toBe(false);
    clock.advance(1000);
    await flush();
    expect(realtime.connection.state).toBe('suspended');
    const [p, m] = await Promise.all([published, members]);
    expect(isPulseError(p) && p.code).toBe('timeout');
    expect(isPulseError(m) && m.code).toBe('timeout');
    expect(changes.some((c) => c.current === 'suspended' && c.reason?.code === 'timeout')).toBe(true);
    // Suspended: new work rejects at once; retries go on (every 30 s at this point).
    const later = await posts.publish('p', { n: 2 }).catch((e: unknown) => e);
    expect(isPulseError(later) && later.code).toBe('timeout');
    const before = ws.sockets.length;
    clock.advance(30_000);
    expect(ws.sockets.length).toBeGreaterThan(before);
  });

  it('a connection that comes back ends the suspension: work is accepted and confirmed again', async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    ws.last.drop(1006);
    clock.advance(HOUR / 2); // far past the TTL (the token lasts an hour): suspended, still retrying
    expect(pulse.state).toBe('reconnecting');
    ws.autoPong = true;
    ws.last.accept();
    expect(pulse.state).toBe('connected');
    await expect(pulse.channel('c').publish('m', { n: 1 })).resolves.toBeUndefined();
  });

  it('connectionStateTtlMs is an option', async () => {
    const { ws, pulse, clock } = setupPulse({ connectionStateTtlMs: 5_000 });
    ws.last.accept();
    ws.last.drop(1006);
    const sent = pulse.channel('c').publish('m', {}).catch((e: unknown) => e);
    clock.advance(5_000);
    const error = await sent;
    expect(isPulseError(error) && error.code).toBe('timeout');
  });
});

// Found by an outside review: every connection that opened reset the TTL, so against a service
// that accepts sockets but never answers a ping, a publish waited for ever (each connection died
// by the heartbeat, the next opened, the TTL started again); and once suspended, a failed retry
// went to `disconnected` while publishes still rejected at once.
describe('connections that open but never answer', () => {
  it('a publish rejects with timeout within connectionStateTtlMs (+ the heartbeat timeout), not never', async () => {
    const { ws, realtime, clock } = setupRealtime({ connectionStateTtlMs: 35_000, heartbeatIntervalMs: 300, heartbeatTimeoutMs: 300 });
    realtime.on('error', () => {});
    ws.last.accept();
    ws.last.drop(1006);
    const sent = realtime.channels.get('c').publish('m', { n: 1 }).catch((e: unknown) => e);
    let settled: unknown;
    void sent.then((v) => (settled = v));
    // Every socket opens at once and then answers nothing (no pong).
    for (let t = 0; t < 36_000 && settled === undefined; t += 100) {
      if (ws.last.readyState === 0) ws.last.accept();
      clock.advance(100);
      await flush();
    }
    expect(isPulseError(settled) && settled.code).toBe('timeout');
    expect(ws.sockets.length).toBeGreaterThan(2);
  });

  it('a healthy connection that opens just before the TTL passes keeps the work: its first pong ends the wait', async () => {
    const { ws, pulse, clock } = setupPulse({ connectionStateTtlMs: 5_000 });
    ws.last.accept();
    ws.last.drop(1006);
    const sent = pulse.channel('c').publish('m', { n: 1 });
    clock.advance(4_500);
    ws.last.accept(); // opens 4.5 s into the 5 s window; the queue is sent with a ping
    clock.advance(1_000); // the TTL passes while the pong is on its way
    ws.last.pong();
    await expect(sent).resolves.toBeUndefined();
    expect(pulse.state).toBe('connected');
  });

  it('suspended: a retry that fails stays suspended (publishes still reject at once), it does not flip to disconnected', async () => {
    const { ws, realtime, clock } = setupRealtime({ connectionStateTtlMs: 5_000 });
    realtime.on('error', () => {});
    ws.last.accept();
    ws.last.drop(1006);
    const states: string[] = [];
    realtime.connection.on((change) => states.push(change.current));
    for (let t = 0; t < 120_000; t += 1_000) {
      clock.advance(1_000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    await flush();
    const afterSuspended = states.slice(states.indexOf('suspended'));
    expect(afterSuspended.length).toBeGreaterThan(0);
    expect(afterSuspended).not.toContain('disconnected');
    expect(realtime.connection.state).toBe('suspended');
    const later = await realtime.channels.get('c').publish('m', {}).catch((e: unknown) => e);
    expect(isPulseError(later) && later.code).toBe('timeout');
  });
});

// Second review: the TTL must still count from the loss after a busy connection (whose heartbeat
// never pinged), and a wake-up from suspended must not abort the attempt in flight.
describe('connectionStateTtlMs after a healthy connection, and wake-ups while suspended', () => {
  it('a connection that receives a steady stream (the heartbeat never needs to ping) and then drops keeps queued work for connectionStateTtlMs', async () => {
    const { ws, pulse, clock } = setupPulse({ connectionStateTtlMs: 120_000 });
    pulse.on('error', () => {});
    pulse.channel('feed').subscribe('tick', () => {});
    ws.last.accept();
    // The service streams one message a second for 5 minutes: the heartbeat never needs to ping.
    for (let t = 0; t < 300; t++) {
      ws.last.receive({ type: 'message', channel: 'feed', data: { type: 'tick', n: t }, timestamp: 1 });
      clock.advance(1_000);
    }
    expect(pulse.state).toBe('connected');
    ws.last.drop(1006); // a blip
    const sent = pulse.channel('c').publish('m', { n: 1 }).catch((e: unknown) => e);
    let settled: unknown = 'pending';
    void sent.then((v) => (settled = v));
    clock.advance(15_000); // the retry at 1 s fails (never opens)... 15 s after the loss
    await flush();
    expect({ state: pulse.state, settled: isPulseError(settled) ? settled.code : settled }).toEqual({ state: 'reconnecting', settled: 'pending' });
  });

  it('Realtime: the same, seen as states (suspended 10 s after the loss instead of 120 s)', async () => {
    const { ws, realtime, clock } = setupRealtime({ connectionStateTtlMs: 120_000 });
    realtime.on('error', () => {});
    realtime.channels.get('feed').subscribe(() => {});
    ws.last.accept();
    for (let t = 0; t < 300; t++) {
      ws.last.receive({ type: 'message', channel: 'feed', data: { type: 'tick', n: t }, timestamp: 1 });
      clock.advance(1_000);
    }
    ws.last.drop(1006);
    const states: string[] = [];
    realtime.connection.on((c) => states.push(c.current));
    clock.advance(12_000);
    expect(states).not.toContain('suspended');
  });
  it('connect() while an attempt from suspended is in flight does not abort it (as in connecting / disconnected)', async () => {
    const { ws, realtime, clock } = setupRealtime({ connectionStateTtlMs: 5_000 });
    realtime.on('error', () => {});
    ws.last.accept();
    ws.last.drop(1006);
    for (let i = 0; i < 40 && realtime.connection.state !== 'suspended'; i++) {
      clock.advance(1_000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    expect(realtime.connection.state).toBe('suspended');
    clock.advance(60_000); // the next attempt starts and is in flight
    const inFlight = ws.last;
    expect(inFlight.readyState).toBe(0);
    realtime.connect(); // e.g. a "retry now" button, or the browser's online event
    await flush();
    expect(inFlight.closedByClient).toBe(false);
  });

  it('for comparison: connect() while disconnected and the retry attempt is in flight keeps it', async () => {
    const { ws, realtime, clock } = setupRealtime({ connectionStateTtlMs: 500_000 });
    realtime.on('error', () => {});
    ws.last.accept();
    ws.last.drop(1006);
    clock.advance(1_000);
    const inFlight = ws.last;
    expect(realtime.connection.state).toBe('connecting');
    realtime.connect();
    await flush();
    expect(inFlight.closedByClient).toBe(false);
  });
});

describe('connectionStateTtlMs after a connection that opened with a presence read held', () => {
  it('presence.get pending at open, answered by the sync; busy stream (no heartbeat ping); a later loss keeps work for the TTL', async () => {
    const { ws, realtime, clock } = setupRealtime({ connectionStateTtlMs: 120_000 });
    realtime.on('error', () => {});
    realtime.channels.get('feed').subscribe(() => {});
    ws.last.accept();
    ws.last.drop(1006); // a first blip
    // While disconnected the app reads presence (held: it waits for the next connection).
    const members = realtime.channels.get('room').presence.get();
    clock.advance(1_000);
    ws.last.accept();
    // The service answers the read with its sync, then streams messages (no ping needed).
    ws.last.receive({ type: 'presence', channel: 'room', action: 'sync', count: 0, members: [] });
    await flush(); // the ping after the requests goes a microtask later
    ws.last.pong();
    await expect(members).resolves.toEqual([]);
    for (let t = 0; t < 300; t++) {
      ws.last.receive({ type: 'message', channel: 'feed', data: { type: 'tick', n: t }, timestamp: 1 });
      clock.advance(1_000);
    }
    expect(realtime.connection.state).toBe('connected');
    ws.last.drop(1006);
    const states: string[] = [];
    realtime.connection.on((c) => states.push(c.current));
    clock.advance(15_000);
    expect(states).not.toContain('suspended');
  });
});

describe('Pulse.Realtime states (Ably)', () => {
  it("connection.on('disconnected') fires when the connection drops, as in the tutorial, not only on close()", () => {
    const { ws, realtime } = setupRealtime();
    const seen: string[] = [];
    realtime.connection.on('disconnected', (c) => seen.push(`${c.previous}->${c.current}`));
    ws.last.accept();
    ws.last.drop(1006);
    expect(seen).toEqual(['connected->disconnected']);
    realtime.close();
    expect(realtime.connection.state).toBe('closed'); // no socket was open: closed at once
  });

  it('initialized before connect(), closing then closed after close()', async () => {
    const { ws, realtime } = setupRealtime({ autoConnect: false });
    expect(realtime.connection.state).toBe('initialized');
    realtime.connect();
    ws.last.accept();
    realtime.close();
    expect(realtime.connection.state).toBe('closing');
    await flush();
    expect(realtime.connection.state).toBe('closed');
  });
});

describe('presence fidelity to the seed', () => {
  const sync = (members: { userId: string; connectionId: string; data?: unknown }[]) => ({ type: 'presence', action: 'sync', channel: 'room', count: members.length, members });

  it('reading presence.members / count on a subscribed channel starts tracking presence', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {});
    expect(room.presence.count).toBe(0);
    expect(ws.last.frames.map((f) => f.action)).toEqual(['subscribe', 'presence']);
    ws.last.receive(sync([{ userId: 'u1', connectionId: 'c1' }, { userId: 'u2', connectionId: 'c2' }]));
    expect(room.presence.count).toBe(2);
    expect(room.presence.members.map((m) => m.userId)).toEqual(['u1', 'u2']);
  });

  it("a leave frame without data (the seed's format) gives onLeave the data the client held", () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const left: unknown[] = [];
    pulse.channel('room').presence.onLeave((m) => left.push(m.data));
    ws.last.receive(sync([{ userId: 'u2', connectionId: 'c2', data: { name: 'Jane' } }]));
    ws.last.receive({ type: 'presence', action: 'leave', channel: 'room', member: { userId: 'u2', connectionId: 'c2' } });
    expect(left).toEqual([{ name: 'Jane' }]);
  });

  it('the Pulse face has an awaitable presence.get()', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const got = pulse.channel('room').presence.get();
    ws.last.receive(sync([{ userId: 'u1', connectionId: 'c1' }]));
    expect((await got).map((m) => m.userId)).toEqual(['u1']);
  });
});

describe('channels are released when unused', () => {
  it('a channel per document leaves nothing behind once unsubscribed', async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    for (let i = 0; i < 1000; i++) {
      const doc = pulse.channel(`doc-${i}`);
      const stop = doc.subscribe('edit', () => {});
      void doc.presence.enter({ i });
      stop();
      void doc.presence.leave();
    }
    // Kept until the service took the unsubscribes (the pong of a ping after them): a refused
    // one is sent again (unsubscribe-refused.test.ts). Some 4,000 frames: they leave at the send
    // pace (transport.ts) over about 20 s.
    for (let s = 0; s < 30; s++) {
      clock.advance(1_000);
      await flush();
    }
    await flush();
    // A channel in use is one object; a released one is not kept (each call makes a new, empty one).
    expect(pulse.channel('doc-1')).not.toBe(pulse.channel('doc-1'));
    expect(pulse.channel('doc-999')).not.toBe(pulse.channel('doc-999'));
    const kept = pulse.channel('kept');
    kept.subscribe('edit', () => {});
    expect(pulse.channel('kept')).toBe(kept);
  });

  it('Realtime channels.release(name) detaches and forgets the channel', () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    realtime.channels.get('posts').subscribe(() => {});
    realtime.channels.release('posts');
    expect(ws.last.frames.map((f) => f.action)).toEqual(['subscribe', 'unsubscribe']);
  });

  it('a token for a kbId the client was not given is refused before connecting (kb_mismatch)', () => {
    expect(() => setupPulse({ token: makeToken({ kbId: 'another' }) })).toThrow(expect.objectContaining({ code: 'kb_mismatch' }));
  });
});

describe('a refused upgrade whose body never ends', () => {
  // Found by review: the open deadline's report carried the refusal's status, so a 401 whose
  // body stalled ended in `failed` (invalid_token) instead of being retried like any timeout.
  it('is a timeout: reported once as network_error and retried with backoff, not failed', () => {
    for (const status of [401, 403]) {
      const { ws, pulse, clock } = setupPulse();
      const errors: string[] = [];
      pulse.on('error', (e) => errors.push(e.code));
      ws.last.refuse(status, undefined, true);
      clock.advance(30_000); // heartbeatIntervalMs + heartbeatTimeoutMs: the open deadline
      expect(pulse.state).toBe('reconnecting');
      expect(errors).toEqual(['network_error']);
      clock.advance(1000);
      expect(ws.sockets).toHaveLength(2);
    }
  });
});
