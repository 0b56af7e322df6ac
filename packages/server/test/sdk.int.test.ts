// The server SDK against the real local service on a loopback port (undici keep-alive transport).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { createPulseClient, type PulseClient } from '../src/client.js';
import { PulseApiError } from '../src/errors.js';
import { decodeToken, verifyToken } from '../src/tokens.js';
import { connectRaw, type RawPeer } from './ws-peer.js';

const SECRET = 'integration-secret';
let service: PulseService;
let client: PulseClient;
const peers: RawPeer[] = [];

beforeEach(async () => {
  service = await createPulseService({ secret: SECRET });
  client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, env: () => ({}) });
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
  await client.close();
  await service.close();
});

async function peer(userId: string, channel?: string): Promise<RawPeer> {
  const { token, endpoint } = await client.getToken(userId);
  const connected = await connectRaw(endpoint, service.kbId, token, channel);
  peers.push(connected);
  return connected;
}

describe('server SDK against the local service', () => {
  it('getToken mints a token a raw ws connects with; verifyToken/decodeToken read it', async () => {
    const result = await client.getToken('alice');
    expect(client.transport).toBe('undici');
    expect(result.endpoint).toBe(service.wsUrl);
    expect(result.expiresIn).toBeGreaterThan(0);
    const claims = await verifyToken(result.token, SECRET, { kbId: service.kbId });
    expect(claims).toMatchObject({ kbId: service.kbId, userId: 'alice', endpoint: service.wsUrl });
    expect(decodeToken(result.token).userId).toBe('alice');
    const raw = await connectRaw(result.endpoint, service.kbId, result.token);
    peers.push(raw);
    expect(service.connections().map((c) => c.userId)).toEqual(['alice']);
  });

  it('publish reaches a subscribed raw socket with the event merged as data.type', async () => {
    const raw = await peer('bob', 'orders');
    const result = await client.publish('orders', 'new_order', { orderId: '12345', total: 99.99 });
    expect(result.delivered).toBe(1);
    const frame = await raw.next((f) => f.type === 'message');
    expect(frame).toEqual({
      type: 'message',
      channel: 'orders',
      data: { orderId: '12345', total: 99.99, type: 'new_order' },
      timestamp: result.timestamp,
    });
  });

  it('publishBatch delivers every item over the keep-alive pool', async () => {
    const raw = await peer('carol', 'feed');
    const items = Array.from({ length: 25 }, (_, n) => ({ channel: 'feed', event: 'tick', data: { n } }));
    const results = await client.publishBatch(items, { concurrency: 5 });
    expect(results.every((r) => r.ok)).toBe(true);
    await raw.next((f) => f.type === 'message' && f.data.n === 24);
    const received = raw.frames.flatMap((f) => (f.type === 'message' ? [f.data.n] : []));
    expect([...received].sort((a, b) => Number(a) - Number(b))).toEqual(items.map((i) => i.data.n));
  });

  it('presence reflects entered members', async () => {
    const a = await peer('dave', 'room');
    const b = await peer('erin', 'room');
    a.send({ action: 'presence_enter', channel: 'room', data: { name: 'Dave' } });
    b.send({ action: 'presence_enter', channel: 'room', data: { name: 'Erin' } });
    await a.next((f) => f.type === 'presence' && f.action === 'enter' && f.member.userId === 'erin');
    await a.next((f) => f.type === 'presence' && f.action === 'enter' && f.member.userId === 'dave');
    const result = await client.presence('room');
    expect(result.count).toBe(2);
    expect(result.members.map((m) => [m.userId, m.data]).sort()).toEqual([
      ['dave', { name: 'Dave' }],
      ['erin', { name: 'Erin' }],
    ]);
    const channels = await client.channels();
    expect(channels.channels).toEqual([{ channel: 'room', subscribers: 2, presence: 2 }]);
    const status = await client.status();
    expect(status).toMatchObject({ enabled: true, connections: 2, channels: 1, endpoint: service.wsUrl });
  });

  it('a wrong apiKey is a typed 401 that does not echo the key', async () => {
    const wrong = 'wrong-api-key-0123456789';
    const error = await client.publish('c', 'e', {}, { apiKey: wrong }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PulseApiError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', retryable: false, attempts: 1 });
    expect(String((error as Error).message)).not.toContain(wrong);
  });

  it('disabled Pulse is a typed 403; enable/disable round-trip', async () => {
    expect((await client.disable()).enabled).toBe(false);
    await expect(client.publish('c', 'e', {})).rejects.toMatchObject({ status: 403, code: 'pulse_not_enabled' });
    expect((await client.enable({ region: 'us-east-1' })).enabled).toBe(true);
    expect((await client.publish('c', 'e', {})).delivered).toBe(0);
  });

  it('the fetch transport works the same', async () => {
    const viaFetch = createPulseClient({ transport: 'fetch', apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey });
    const raw = await peer('frank', 'x');
    expect((await viaFetch.publish('x', 'hello', { a: 1 })).delivered).toBe(1);
    expect(viaFetch.transport).toBe('fetch');
    await raw.next((f) => f.type === 'message');
    await viaFetch.close();
  });

  it('a stopped service is a retryable network_error after bounded retries', async () => {
    const retries: number[] = [];
    const flaky = createPulseClient({
      apiUrl: service.apiUrl,
      kbId: service.kbId,
      apiKey: service.apiKey,
      retries: 2,
      sleep: async (ms) => void retries.push(ms),
    });
    await service.stop();
    const error = await flaky.status().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network_error', retryable: true, attempts: 3 });
    expect(retries).toHaveLength(2);
    await service.start();
    expect((await flaky.status()).enabled).toBe(true);
    await flaky.close();
  });
});
