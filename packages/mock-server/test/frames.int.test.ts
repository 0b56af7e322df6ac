import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, MAX_PRESENCE_MEMBERS, messageFrameBytes, parseServerFrame } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect, nextEvent, type RawClient } from './helpers.js';

let service: PulseService;

beforeEach(async () => {
  service = await createPulseService();
});

afterEach(async () => {
  closeAllClients();
  await service.close();
});

/** Every frame the service sent must parse with the protocol's own parser. */
function expectProtocolFrames(...clients: RawClient[]) {
  for (const client of clients) for (const frame of client.frames) expect(parseServerFrame(JSON.stringify(frame)).ok).toBe(true);
}

describe('ping', () => {
  it('answers ping with pong and the service time', async () => {
    const client = await connect(service, 'alice');
    const before = Date.now();
    client.send({ action: 'ping' });
    const pong = await client.nextType<{ type: 'pong'; timestamp: number }>('pong');
    expect(pong.timestamp).toBeGreaterThanOrEqual(before);
    expectProtocolFrames(client);
  });
});

describe('subscribe / publish / unsubscribe', () => {
  it('fans a publish out to every subscriber, the sender included, in the seed format', async () => {
    const alice = await connect(service, 'alice', { channel: 'chat' });
    const bob = await connect(service, 'bob');
    bob.send({ action: 'subscribe', channel: 'chat' });
    await bob.sync();
    alice.send({ action: 'publish', channel: 'chat', event: 'new_message', data: { text: 'Hello', user: 'John' } });
    for (const client of [alice, bob]) {
      const frame = await client.nextType('message');
      expect(frame).toEqual({
        type: 'message',
        channel: 'chat',
        data: { type: 'new_message', text: 'Hello', user: 'John' },
        timestamp: expect.any(Number),
      });
    }
    expectProtocolFrames(alice, bob);
  });

  it('publishes without data, and without being subscribed', async () => {
    const bob = await connect(service, 'bob', { channel: 'chat' });
    const alice = await connect(service, 'alice');
    alice.send({ action: 'publish', channel: 'chat', event: 'poke' });
    expect(await bob.nextType('message')).toMatchObject({ data: { type: 'poke' } });
    await alice.sync();
    expect(alice.frames.filter((f) => f.type === 'message')).toHaveLength(0);
  });

  it('delivers nothing from other channels and stops after unsubscribe', async () => {
    const bob = await connect(service, 'bob', { channel: 'chat' });
    const alice = await connect(service, 'alice', { channel: 'chat' });
    alice.send({ action: 'publish', channel: 'other', event: 'x', data: {} });
    bob.send({ action: 'unsubscribe', channel: 'chat' });
    await bob.sync();
    alice.send({ action: 'publish', channel: 'chat', event: 'after', data: {} });
    await alice.nextType('message', (f) => (f.data as { type: string }).type === 'after');
    await bob.sync();
    expect(bob.frames.filter((f) => f.type === 'message')).toHaveLength(0);
  });

  it('counts deliveries of HTTP publishes and fans them out the same way', async () => {
    const bob = await connect(service, 'bob', { channel: 'news' });
    const carol = await connect(service, 'carol', { channel: 'news' });
    const { status, body } = await api(service, { action: 'pulsePublish', channel: 'news', event: 'post', data: { id: 1 } });
    expect(status).toBe(200);
    expect(body).toEqual({ delivered: 2, timestamp: expect.any(Number) });
    for (const client of [bob, carol]) {
      expect(await client.nextType('message')).toEqual({
        type: 'message',
        channel: 'news',
        data: { type: 'post', id: 1 },
        timestamp: body.timestamp,
      });
    }
  });
});

describe('presence', () => {
  it('broadcasts enter, update and leave, and answers presence with sync', async () => {
    const watcher = await connect(service, 'watcher', { channel: 'room' });
    const alice = await connect(service, 'alice', { channel: 'room' });
    const aliceId = service.connections().find((c) => c.userId === 'alice')!.connectionId;

    alice.send({ action: 'presence_enter', channel: 'room', data: { name: 'Alice' } });
    const enter = await watcher.nextType('presence', (f) => f.action === 'enter');
    expect(enter).toEqual({
      type: 'presence',
      action: 'enter',
      channel: 'room',
      member: { userId: 'alice', connectionId: aliceId, connectedAt: expect.any(Number), data: { name: 'Alice' } },
    });
    await alice.nextType('presence', (f) => f.action === 'enter');

    alice.send({ action: 'presence_update', channel: 'room', data: { status: 'away' } });
    expect(await watcher.nextType('presence', (f) => f.action === 'update')).toMatchObject({
      member: { userId: 'alice', data: { status: 'away' } },
    });

    watcher.send({ action: 'presence', channel: 'room' });
    expect(await watcher.nextType('presence', (f) => f.action === 'sync')).toEqual({
      type: 'presence',
      action: 'sync',
      channel: 'room',
      count: 1,
      members: [{ userId: 'alice', connectionId: aliceId, connectedAt: expect.any(Number), data: { status: 'away' } }],
    });

    alice.send({ action: 'presence_leave', channel: 'room' });
    expect(await watcher.nextType('presence', (f) => f.action === 'leave')).toMatchObject({ member: { connectionId: aliceId } });
    watcher.send({ action: 'presence', channel: 'room' });
    expect(await watcher.nextType('presence', (f) => f.action === 'sync')).toMatchObject({ count: 0, members: [] });
    expectProtocolFrames(watcher, alice);
  });

  it('answers presence for a channel nobody is in with an empty sync', async () => {
    const client = await connect(service, 'alice');
    client.send({ action: 'presence', channel: 'empty' });
    expect(await client.nextType('presence')).toEqual({ type: 'presence', action: 'sync', channel: 'empty', count: 0, members: [] });
  });

  it('lists at most 100 members with the exact count of 150 (WebSocket and HTTP)', async () => {
    const members = await Promise.all(Array.from({ length: 150 }, (_, i) => connect(service, `user-${i}`)));
    for (const member of members) member.send({ action: 'presence_enter', channel: 'crowd', data: { n: 1 } });
    await Promise.all(members.map((member) => member.sync()));
    const watcher = await connect(service, 'watcher');
    watcher.send({ action: 'presence', channel: 'crowd' });
    const sync = await watcher.nextType<{ type: 'presence'; count: number; members: unknown[] }>('presence');
    expect(sync.count).toBe(150);
    expect(sync.members).toHaveLength(MAX_PRESENCE_MEMBERS);
    const { body } = await api<{ count: number; members: unknown[] }>(service, { action: 'pulsePresence', channel: 'crowd' });
    expect(body.count).toBe(150);
    expect(body.members).toHaveLength(MAX_PRESENCE_MEMBERS);
  });

  it.each([
    ['the client closes abruptly', (client: RawClient) => client.ws.terminate()],
    ['the client closes cleanly', (client: RawClient) => client.ws.close()],
    ['the service kills the connection', (_client: RawClient, id: string) => service.kill(id)],
  ])('leaves every channel it had entered when %s (no ghost members)', async (_name, drop) => {
    const watcher = await connect(service, 'watcher');
    watcher.send({ action: 'subscribe', channel: 'a' });
    watcher.send({ action: 'subscribe', channel: 'b' });
    const ghost = await connect(service, 'ghost');
    ghost.send({ action: 'presence_enter', channel: 'a' });
    ghost.send({ action: 'presence_enter', channel: 'b' });
    await ghost.sync();
    const ghostId = service.connections().find((c) => c.userId === 'ghost')!.connectionId;
    drop(ghost, ghostId);
    const leaves = [
      await watcher.nextType('presence', (f) => f.action === 'leave'),
      await watcher.nextType('presence', (f) => f.action === 'leave'),
    ];
    expect(leaves.map((f) => f.channel).sort()).toEqual(['a', 'b']);
    for (const channel of ['a', 'b']) {
      watcher.send({ action: 'presence', channel });
      expect(await watcher.nextType('presence', (f) => f.action === 'sync')).toMatchObject({ count: 0 });
    }
    expect(service.connections().map((c) => c.userId)).toEqual(['watcher']);
  });
});

describe('limits and malformed input', () => {
  /** A publish frame of exactly `bytes` UTF-8 bytes. */
  function publishFrameOf(bytes: number): string {
    const empty = JSON.stringify({ action: 'publish', channel: 'big', event: 'blob', data: { pad: '' } });
    const frame = JSON.stringify({ action: 'publish', channel: 'big', event: 'blob', data: { pad: 'x'.repeat(bytes - empty.length) } });
    expect(Buffer.byteLength(frame)).toBe(bytes);
    return frame;
  }

  /** A publish whose message frame (what subscribers get) is exactly `bytes` bytes. */
  function publishDeliveredAs(bytes: number): string {
    const pad = 'x'.repeat(bytes - messageFrameBytes('big', 'blob', { pad: '' }));
    expect(messageFrameBytes('big', 'blob', { pad })).toBe(bytes);
    return JSON.stringify({ action: 'publish', channel: 'big', event: 'blob', data: { pad } });
  }

  // The one publish rule (publishProblem): the publish frame and the message frame subscribers get
  // are each at most 32 KB; the message frame is the larger by a few bytes (type, timestamp).
  it('delivers a publish whose message frame is exactly 32 KB and refuses one byte more, keeping the connection', async () => {
    const client = await connect(service, 'alice', { channel: 'big' });
    client.send(publishDeliveredAs(MAX_MESSAGE_BYTES));
    const message = await client.nextType('message');
    expect(Buffer.byteLength(JSON.stringify(message))).toBe(MAX_MESSAGE_BYTES);

    client.send(publishDeliveredAs(MAX_MESSAGE_BYTES + 1));
    expect(await client.nextType('error')).toMatchObject({ type: 'error', code: 'message_too_large' });
    client.send(publishFrameOf(MAX_MESSAGE_BYTES + 1));
    expect(await client.nextType('error')).toMatchObject({ type: 'error', code: 'message_too_large' });
    await client.sync();
    expect(client.frames.filter((f) => f.type === 'message')).toHaveLength(1);
  });

  it('counts bytes, not characters, against the limit', async () => {
    const client = await connect(service, 'alice', { channel: 'big' });
    const empty = JSON.stringify({ action: 'publish', channel: 'big', event: 'blob', data: { pad: '' } });
    const chars = Math.floor((MAX_MESSAGE_BYTES - empty.length) / 3) + 1; // 3-byte characters, just over
    client.send(JSON.stringify({ action: 'publish', channel: 'big', event: 'blob', data: { pad: '€'.repeat(chars) } }));
    expect(await client.nextType('error')).toMatchObject({ code: 'message_too_large' });
  });

  it.each([
    ['invalid JSON', '{"action":'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"ping"'],
    ['an unknown action', { action: 'teleport', channel: 'chat' }],
    ['a missing action', { channel: 'chat' }],
    ['a numeric channel', { action: 'subscribe', channel: 42 }],
    ['an empty channel', { action: 'publish', channel: '', event: 'e', data: {} }],
    ['a missing event', { action: 'publish', channel: 'chat', data: {} }],
    ['array data', { action: 'publish', channel: 'chat', event: 'e', data: [1] }],
    ['string data', { action: 'publish', channel: 'chat', event: 'e', data: 'hi' }],
    ['a conflicting data.type', { action: 'publish', channel: 'chat', event: 'e', data: { type: 'other' } }],
    ['a __proto__ key', '{"action":"publish","channel":"chat","event":"e","data":{"__proto__":{"x":1}}}'],
    ['a binary frame', Buffer.from('{"action":"ping"}')],
  ])('answers %s with invalid_message, keeps the connection and broadcasts nothing', async (_name, frame) => {
    const listener = await connect(service, 'listener', { channel: 'chat' });
    const sender = await connect(service, 'sender', { channel: 'chat' });
    sender.send(frame as string);
    const error = await sender.nextType('error');
    expect(error).toMatchObject({ type: 'error', code: 'invalid_message', error: expect.any(String) });
    await sender.sync();
    await listener.sync();
    expect(listener.frames.filter((f) => f.type !== 'pong')).toEqual([]);
    expect(sender.frames.filter((f) => f.type === 'message')).toEqual([]);
    expectProtocolFrames(sender);
  });
});

describe('events', () => {
  it('emits connection, action and close', async () => {
    const connected = nextEvent(service, 'connection');
    const client = await connect(service, 'alice', { channel: 'chat' });
    const [info] = await connected;
    expect(info).toMatchObject({ userId: 'alice', kbId: service.kbId, channels: ['chat'] });
    const acted = nextEvent(service, 'action');
    client.send({ action: 'subscribe', channel: 'more' });
    expect((await acted)[0]).toEqual({ action: 'subscribe', channel: 'more' });
    const closed = nextEvent(service, 'close');
    client.ws.close(1000);
    const [closedInfo, code] = await closed;
    expect(closedInfo).toMatchObject({ userId: 'alice' });
    expect(code).toBe(1000);
  });
});

describe('fan-out framing', () => {
  it('keeps frame order on a connection when framed fan-out writes and plain sends interleave', async () => {
    const alice = await connect(service, 'alice', { channel: 'room' });
    const bob = await connect(service, 'bob', { channel: 'room' });
    // Fan-outs to 2 subscribers are framed once and written directly; pong and sync are plain sends.
    const burst = [];
    for (let i = 0; i < 50; i++) {
      burst.push({ action: 'publish', channel: 'room', event: 'n', data: { i, pad: 'x'.repeat(i * 200) } });
      burst.push(i % 2 ? { action: 'ping' } : { action: 'presence', channel: 'room' });
    }
    for (const action of burst) alice.send(action);
    // Burst pongs would satisfy sync(): read frames until every answer is in.
    while (alice.frames.length < burst.length) await alice.next();
    await bob.next((f) => f.type === 'message' && (f.data as { i: number }).i === 49);
    const order = alice.frames.map((f) => (f.type === 'message' ? `m${(f.data as { i: number }).i}` : String(f.type)));
    const expected = burst.map((a, k) => (a.action === 'publish' ? `m${k / 2}` : a.action === 'ping' ? 'pong' : 'presence'));
    expect(order.slice(0, expected.length)).toEqual(expected);
    expect(bob.frames.filter((f) => f.type === 'message').map((f) => (f.data as { i: number }).i)).toEqual([...Array(50).keys()]);
    expectProtocolFrames(alice, bob);
  });
});
