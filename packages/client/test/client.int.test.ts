import { createFakeClock, createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Pulse, { Realtime, type PulseError, type PulseOptions, type RealtimeMember, type RealtimeMessage } from '../src/index.js';
import { reachState, roundTrip, tokenFor, waitFor } from './int-helpers.js';

let service: PulseService;
const clients: { disconnect(): void }[] = [];

beforeEach(async () => {
  service = await createPulseService({ host: '127.0.0.1' });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await service.close();
});

async function pulse(userId: string, options: Partial<PulseOptions> = {}): Promise<Pulse> {
  const client = new Pulse({ kbId: service.kbId, token: await tokenFor(service, userId), ...options });
  clients.push(client);
  return client;
}

async function realtime(userId: string): Promise<Realtime> {
  const client = new Realtime({ kbId: service.kbId, token: await tokenFor(service, userId), endpoint: service.wsUrl, clientId: userId });
  clients.push({ disconnect: () => client.close() });
  return client;
}

describe('two clients over a real socket', () => {
  it('chat with the Pulse face (endpoint from the token claims, ws from isomorphic-ws)', async () => {
    const [alice, bob] = await Promise.all([pulse('alice'), pulse('bob')]);
    const a = alice.channel<{ message: { text: string; from: string } }>('chat');
    const b = bob.channel<{ message: { text: string; from: string } }>('chat');
    const received: string[] = [];
    const bobGot = waitFor<string>('bob to receive', (done) => b.subscribe('message', (d) => done(d.text)));
    a.subscribe('message', (d) => received.push(`${d.from}:${d.text}`));
    await Promise.all([roundTrip(a as never), roundTrip(b as never)]);
    expect(alice.isConnected && bob.isConnected).toBe(true);
    await a.publish('message', { text: 'hi bob', from: 'alice' });
    expect(await bobGot).toBe('hi bob');
    const aliceGot = waitFor('alice to receive', (done) => a.subscribe('message', (d) => d.from === 'bob' && done(undefined)));
    await b.publish('message', { text: 'hi alice', from: 'bob' });
    await aliceGot;
    expect(received).toEqual(['alice:hi bob', 'bob:hi alice']);
  });

  it('chat and presence with the Realtime face', async () => {
    const [alice, bob] = await Promise.all([realtime('alice'), realtime('bob')]);
    const a = alice.channels.get('posts');
    const b = bob.channels.get('posts');
    const seenByBob = waitFor<RealtimeMessage>('bob to receive', (done) => {
      b.subscribe('new_post', done);
      return () => b.unsubscribe('new_post', done);
    });
    const twoMembers = waitFor<RealtimeMember[]>('two members', (done) => {
      const cb = (members: RealtimeMember[]) => members.length === 2 && done(members);
      a.presence.subscribe(cb);
      return () => a.presence.unsubscribe(cb);
    });
    await a.presence.enter({ name: 'Alice' });
    await b.presence.enter({ name: 'Bob' });
    const members = await twoMembers;
    expect(members.map((m) => [m.clientId, (m.data as { name: string }).name]).sort()).toEqual([
      ['alice', 'Alice'],
      ['bob', 'Bob'],
    ]);
    expect((await b.presence.get()).length).toBe(2);
    expect(alice.connection.state).toBe('connected');
    // Bob's subscription is live: his presence sync came back on the same socket.
    await a.publish('new_post', { post: { id: 1, content: 'hello' } });
    const message = await seenByBob;
    expect(message).toMatchObject({ name: 'new_post', channel: 'posts', data: { post: { id: 1, content: 'hello' } } });
    expect(typeof message.timestamp).toBe('number');
  });
});

describe('presence', () => {
  it('enter, update, leave and an exact count', async () => {
    const [alice, bob] = await Promise.all([pulse('alice'), pulse('bob')]);
    const a = alice.channel('room').presence;
    const b = bob.channel('room').presence;
    const entered = waitFor<PresenceMember>('bob enter', (done) => a.onEnter((m) => m.userId === 'bob' && done(m)));
    await a.enter({ status: 'online' });
    // enter() resolves once the service has it: the sync that lists alice came before the confirming pong.
    expect(a.members.map((m) => m.userId)).toEqual(['alice']);
    await b.enter({ status: 'online' });
    expect((await entered).data).toEqual({ status: 'online' });
    expect(a.count).toBe(2);
    const updated = waitFor<PresenceMember>('bob update', (done) => a.onUpdate(done));
    await b.update({ status: 'away' });
    expect((await updated).data).toEqual({ status: 'away' });
    expect(a.members.find((m) => m.userId === 'bob')?.data).toEqual({ status: 'away' });
    const left = waitFor<PresenceMember>('bob leave', (done) => a.onLeave(done));
    await b.leave();
    expect((await left).userId).toBe('bob');
    expect(a.count).toBe(1);
    // A disconnecting member leaves too.
    const enteredAgain = waitFor('bob enter again', (done) => a.onEnter((m) => m.userId === 'bob' && done(undefined)));
    await b.enter({ status: 'back' });
    await enteredAgain;
    const leftOnDisconnect = waitFor('bob gone', (done) => a.onLeave(() => done(undefined)));
    bob.disconnect();
    await leftOnDisconnect;
    expect(a.count).toBe(1);
  });
});

describe('resilience', () => {
  it('service stop()/start(): reconnect, resubscribe, re-enter, queued publishes delivered in order exactly once', async () => {
    const clockA = createFakeClock(Date.now());
    const clockB = createFakeClock(Date.now());
    const [alice, bob] = await Promise.all([pulse('alice', { clock: clockA }), pulse('bob', { clock: clockB })]);
    const a = alice.channel('feed');
    const b = bob.channel('feed');
    const got: number[] = [];
    a.subscribe('n', (d) => got.push(d.n as number));
    await a.presence.enter({ v: 1 });
    await a.presence.update({ v: 2 });
    await Promise.all([roundTrip(a), roundTrip(b)]);
    // Listening first: publish resolves once the service has the message, which may already have reached alice.
    const three = waitFor('1..3', (done) => a.subscribe('n', (d) => d.n === 3 && done(undefined)));
    for (const n of [1, 2, 3]) await b.publish('n', { n });
    await three;

    const down = Promise.all([reachState(alice, 'reconnecting'), reachState(bob, 'reconnecting')]);
    await service.stop();
    await down;
    const queued = [4, 5, 6].map((n) => b.publish('n', { n }));
    await service.start();

    clockA.advance(1000); // Alice reconnects first and resubscribes...
    await reachState(alice, 'connected');
    await roundTrip(a);
    const present = service.connections().find((c) => c.userId === 'alice');
    expect(present?.channels).toEqual(['feed']);
    const six = waitFor('4..6', (done) => a.subscribe('n', (d) => d.n === 6 && done(undefined)));
    clockB.advance(1000); // ...then Bob flushes his queue.
    await Promise.all(queued);
    await six;
    expect(got).toEqual([1, 2, 3, 4, 5, 6]);
    // Alice re-entered presence with her latest data.
    const { members } = await presenceOf('feed');
    expect(members.find((m) => m.userId === 'alice')?.data).toEqual({ v: 2 });
  });

  it('kill(): a dropped connection is replaced and resubscribed', async () => {
    const clock = createFakeClock(Date.now());
    const alice = await pulse('alice', { clock });
    const a = alice.channel('c');
    await roundTrip(a);
    const [info] = service.connections();
    const down = reachState(alice, 'reconnecting');
    expect(service.kill(info!.connectionId)).toBe(true);
    await down;
    clock.advance(1000);
    await reachState(alice, 'connected');
    await roundTrip(a);
    expect(service.connections()).toHaveLength(1);
  });

  it('pause(): the heartbeat detects a silent service and replaces the connection', async () => {
    const alice = await pulse('alice', { heartbeatIntervalMs: 150, heartbeatTimeoutMs: 150 });
    const a = alice.channel('c');
    await roundTrip(a);
    const first = service.connections()[0]!.connectionId;
    service.pause();
    await reachState(alice, 'reconnecting');
    service.resume();
    await reachState(alice, 'connected');
    await roundTrip(a);
    expect(service.connections().map((c) => c.connectionId)).not.toContain(first);
  });

  it('an expired token is refreshed through authCallback and the client reconnects', async () => {
    let refreshed = 0;
    let onRefresh: () => void = () => {};
    const refreshedOnce = new Promise<void>((resolve) => (onRefresh = resolve));
    const alice = await pulse('alice', {
      // `exp` is in whole seconds: 3 s leaves at least 2 s to connect with it.
      token: await tokenFor(service, 'alice', 3),
      authCallback: async () => {
        refreshed++;
        onRefresh();
        return tokenFor(service, 'alice', 3600);
      },
    });
    const a = alice.channel('c');
    await roundTrip(a);
    // The service closes with tokenExpired at expiry (or, on a machine slow to connect, the client
    // saw the token expire before opening a socket with it): either way one refresh, then connected.
    await refreshedOnce;
    await reachState(alice, 'connected');
    expect(refreshed).toBe(1);
    await roundTrip(a);
  });

  it('an already expired token is refused with 401 token_expired and refreshed', async () => {
    let refreshed = 0;
    const alice = await pulse('alice', {
      token: await tokenFor(service, 'alice', 0),
      authCallback: async () => {
        refreshed++;
        return tokenFor(service, 'alice');
      },
    });
    await reachState(alice, 'connected');
    expect(refreshed).toBe(1);
  });
});

describe('refused connections (Node reads the upgrade answer)', () => {
  const failure = (client: Pulse) => waitFor<PulseError>('error', (done) => client.on('error', done));

  it('pulse_not_enabled -> failed, no retry', async () => {
    service.setEnabled(service.kbId, false);
    let opened = 0;
    service.on('connection', () => opened++);
    const alice = await pulse('alice');
    const error = await failure(alice);
    expect([error.code, error.statusCode, alice.state]).toEqual(['pulse_not_enabled', 403, 'failed']);
    expect(opened).toBe(0);
  });

  it('a forged token -> failed with invalid_token, the message naming the URL and the service reason', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const forgedToken = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ kbId: service.kbId, userId: 'x' })}.forged`;
    const forged = await pulse('x', { token: forgedToken, endpoint: service.wsUrl });
    const error = await failure(forged);
    expect(error.code).toBe('invalid_token');
    expect(error.message).toContain(service.wsUrl.split('?')[0]);
    expect(error.message).toContain('refused the connection (HTTP 401');
    expect(error.message).not.toContain(forgedToken);
    expect(forged.state).toBe('failed');
  });

  it('what the client can tell before connecting throws at once: not a JWT, a token of another kbId', async () => {
    expect(() => new Pulse({ kbId: service.kbId, token: 'a.b.c', endpoint: service.wsUrl })).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    const token = await tokenFor(service, 'x');
    expect(() => new Pulse({ kbId: 'other-kb', token })).toThrow(expect.objectContaining({ code: 'kb_mismatch' }));
  });
});

async function presenceOf(channel: string): Promise<{ count: number; members: PresenceMember[] }> {
  const response = await fetch(service.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'pulsePresence', kbId: service.kbId, apiKey: service.apiKey, channel }),
  });
  return (await response.json()) as { count: number; members: PresenceMember[] };
}
