import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, buildConnectUrl } from '@openkbs-pulse/protocol';
import { createFakeClock, createPulseService, type PulseService, type PulseServiceOptions } from '../src/index.js';
import { api, closeAllClients, connect, nextEvent, openClient } from './helpers.js';

let service: PulseService | undefined;

async function start(options: PulseServiceOptions = {}): Promise<PulseService> {
  service = await createPulseService(options);
  return service;
}

afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

describe('connection deadlines (fake clock)', () => {
  it('closes a connection at token expiry with CLOSE_CODES.tokenExpired', async () => {
    const clock = createFakeClock();
    const svc = await start({ clock });
    const client = await connect(svc, 'alice', { token: await svc.createToken('alice', { expiresIn: 60 }) });
    clock.advance(59_999);
    await client.sync();
    expect(svc.connections()).toHaveLength(1);
    clock.advance(1);
    expect(await client.closed).toEqual({ code: CLOSE_CODES.tokenExpired, reason: 'token expired' });
    expect(svc.connections()).toEqual([]);
  });

  it('closes a connection at the connection TTL with CLOSE_CODES.connectionTtl when the token lives longer', async () => {
    const clock = createFakeClock();
    const svc = await start({ clock, connectionTtlMs: 5_000 });
    const early = await connect(svc, 'early');
    clock.advance(2_000);
    const late = await connect(svc, 'late');
    clock.advance(3_000);
    expect((await early.closed).code).toBe(CLOSE_CODES.connectionTtl);
    await late.sync();
    clock.advance(2_000);
    expect((await late.closed).code).toBe(CLOSE_CODES.connectionTtl);
  });

  it('defaults the connection TTL to 24 h', async () => {
    const clock = createFakeClock();
    const svc = await start({ clock, tokenTtlSeconds: 48 * 3600 });
    const client = await connect(svc, 'alice');
    expect(svc.connections()[0]!.closesAt - svc.connections()[0]!.connectedAt).toBe(24 * 3600 * 1000);
    clock.advance(24 * 3600 * 1000);
    expect((await client.closed).code).toBe(CLOSE_CODES.connectionTtl);
  });
});

describe('test hooks', () => {
  it('kill() drops one connection abruptly (no close frame), dropAll() drops all', async () => {
    const svc = await start();
    const a = await connect(svc, 'a');
    const b = await connect(svc, 'b');
    const c = await connect(svc, 'c');
    const id = svc.connections().find((info) => info.userId === 'a')!.connectionId;
    expect(svc.kill(id)).toBe(true);
    expect(svc.kill(id)).toBe(false);
    expect((await a.closed).code).toBe(1006);
    expect(svc.dropAll()).toBe(2);
    expect((await b.closed).code).toBe(1006);
    expect((await c.closed).code).toBe(1006);
    expect(svc.connections()).toEqual([]);
  });

  it('pause() ignores frames (ping included) and sends nothing; resume() answers again', async () => {
    const svc = await start();
    const client = await connect(svc, 'alice', { channel: 'chat' });
    svc.pause();
    expect(svc.stats().answering).toBe(false);
    const read = nextEvent(svc, 'action');
    client.send({ action: 'ping' });
    expect((await read)[0]).toEqual({ action: 'ping' });
    expect((await api(svc, { action: 'pulsePublish', channel: 'chat', event: 'e' })).body).toMatchObject({ delivered: 0 });
    svc.resume();
    await client.sync();
    expect(client.frames.map((f) => f.type)).toEqual(['pong']);
  });

  it('stop() closes connections with 1001 and start() listens on the same port, old tokens still valid', async () => {
    const svc = await start();
    const token = await svc.createToken('alice');
    const client = await connect(svc, 'alice', { token });
    const port = svc.port;
    await svc.stop();
    expect(svc.listening).toBe(false);
    expect((await client.closed).code).toBe(CLOSE_CODES.goingAway);
    await expect(openClient(buildConnectUrl(svc.wsUrl, { kbId: svc.kbId, token }))).rejects.toThrow();
    await svc.start();
    expect(svc.port).toBe(port);
    const again = await openClient(buildConnectUrl(svc.wsUrl, { kbId: svc.kbId, token }));
    await again.sync();
    expect(svc.connections()).toHaveLength(1);
  });

  it('stop() completes while an HTTP keep-alive connection is open', async () => {
    const svc = await start();
    expect((await api(svc, { action: 'pulseStatus' })).status).toBe(200);
    await svc.stop();
    await svc.start();
    expect((await api(svc, { action: 'pulseStatus' })).status).toBe(200);
  });

  it('close() is final and idempotent', async () => {
    const svc = await start();
    await svc.close();
    await svc.close();
    await expect(svc.start()).rejects.toThrow(/closed/);
  });
});

describe('presence member connectedAt (fake clock)', () => {
  it('is the time the connection was accepted, not the time the member entered', async () => {
    const clock = createFakeClock();
    const svc = await start({ clock });
    const acceptedAt = clock.now();
    const alice = await connect(svc, 'alice', { channel: 'room' });
    expect(svc.connections()[0]!.connectedAt).toBe(acceptedAt);
    clock.advance(5_000);
    alice.send({ action: 'presence_enter', channel: 'room', data: { n: 1 } });
    expect(await alice.nextType('presence')).toMatchObject({ action: 'enter', member: { connectedAt: acceptedAt } });
    clock.advance(5_000);
    alice.send({ action: 'presence_leave', channel: 'room' });
    await alice.nextType('presence', (frame) => frame.action === 'leave');
    alice.send({ action: 'presence_enter', channel: 'room' });
    await alice.nextType('presence', (frame) => frame.action === 'enter');
    alice.send({ action: 'presence', channel: 'room' });
    expect(await alice.nextType('presence', (frame) => frame.action === 'sync')).toMatchObject({
      members: [{ userId: 'alice', connectedAt: acceptedAt }],
    });
  });
});

describe('slow consumer', () => {
  it('closes a connection whose outgoing buffer exceeds maxBufferedBytes with CLOSE_CODES.slowConsumer', async () => {
    const svc = await start({ maxBufferedBytes: 256 * 1024 });
    const slow = await connect(svc, 'slow', { channel: 'firehose' });
    const fast = await connect(svc, 'fast', { channel: 'firehose' });
    const publisher = await connect(svc, 'publisher');
    const slowId = svc.connections().find((c) => c.userId === 'slow')!.connectionId;
    slow.ws.pause(); // stop reading: the service's buffer towards it grows

    const closed = nextEvent(svc, 'close', 15_000);
    let stop = false;
    void closed.then(() => (stop = true));
    const frame = JSON.stringify({ action: 'publish', channel: 'firehose', event: 'blob', data: { pad: 'x'.repeat(30_000) } });
    let sent = 0;
    // Batches of 150 KB, below the bound: the fast subscriber reads each batch (sync) before the next.
    for (let batch = 0; batch < 1000 && !stop; batch++) {
      for (let i = 0; i < 5; i++) publisher.send(frame);
      sent += 5;
      await publisher.sync();
      await fast.sync();
    }
    const [info, code] = await closed;
    expect(info.connectionId).toBe(slowId);
    if (process.env.PULSE_MEASURE) console.log(`slow consumer closed after ${sent} messages of 30 KB`);
    expect(code).toBe(CLOSE_CODES.slowConsumer);
    expect(svc.connections().map((c) => c.userId).sort()).toEqual(['fast', 'publisher']);

    slow.ws.resume();
    const { code: clientCode, reason } = await slow.closed;
    expect(clientCode).toBe(CLOSE_CODES.slowConsumer);
    expect(reason).toMatch(/slow consumer/);
    // The fast subscriber kept up and is still served.
    await fast.sync();
    expect(fast.frames.filter((f) => f.type === 'message').length).toBeGreaterThan(0);
  });
});
