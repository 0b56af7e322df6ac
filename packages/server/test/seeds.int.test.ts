// The seeds' backend snippets, unchanged, against the local service: only OPENKBS_API_URL (and
// the credentials the tutorial reads from the environment) are set, AFTER the handler is imported.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import pulse, { close, getToken } from '@openkbs-pulse/server';
import seedPulse from 'openkbs-pulse/server';
import { connectRaw, type RawPeer } from './ws-peer.js';

vi.mock('pg', () => {
  const rows: Array<Record<string, unknown>> = [];
  class Client {
    async connect() {}
    async query(sql: string, params: unknown[] = []) {
      if (sql.startsWith('INSERT')) {
        const row = { id: rows.length + 1, user_name: params[0], content: params[1], created_at: '2024-01-01T00:00:00.000Z' };
        rows.push(row);
        return { rows: [row] };
      }
      return { rows: sql.startsWith('SELECT') ? [...rows].reverse() : [] };
    }
  }
  return { default: { Client } };
});

// Imported before the environment is set: credentials must be read at call time.
const { handler } = await import('./fixtures/tutorial-posts.mjs');

let service: PulseService;
const peers: RawPeer[] = [];

beforeEach(async () => {
  service = await createPulseService();
  vi.stubEnv('OPENKBS_API_URL', service.apiUrl);
  vi.stubEnv('OPENKBS_KB_ID', service.kbId);
  vi.stubEnv('OPENKBS_API_KEY', service.apiKey);
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
  await close();
  vi.unstubAllEnvs();
  await service.close();
});

const call = async (body: object) => {
  const response = await handler({ body: JSON.stringify(body) });
  return { statusCode: response.statusCode as number, body: JSON.parse(response.body as string) as Record<string, unknown> };
};

describe('tutorial backend (getPulseToken / create / presence), unchanged', () => {
  it('mints a token a raw socket connects with, broadcasts new posts, reports presence', async () => {
    const tokenAnswer = await call({ action: 'getPulseToken', userId: 'user123' });
    expect(tokenAnswer.statusCode).toBe(200);
    const { token, endpoint, kbId } = tokenAnswer.body as { token: string; endpoint: string; kbId: string };
    expect(kbId).toBe(service.kbId);
    const raw = await connectRaw(endpoint, kbId, token, 'posts');
    peers.push(raw);
    raw.send({ action: 'presence_enter', channel: 'posts', data: { name: 'user123' } });
    await raw.next((f) => f.type === 'presence' && f.action === 'enter');

    const created = await call({ action: 'create', userName: 'user123', content: 'Hello' });
    expect(created.statusCode).toBe(200);
    const frame = await raw.next((f) => f.type === 'message');
    expect(frame).toMatchObject({ channel: 'posts', data: { type: 'new_post', post: { id: 1, user_name: 'user123', content: 'Hello' } } });

    const presence = await call({ action: 'presence' });
    expect(presence.body).toMatchObject({ count: 1, members: [{ userId: 'user123', data: { name: 'user123' } }] });
  });
});

describe('README "Server SDK" quick start, unchanged calls', () => {
  it('getToken(kbId, apiKey, userId), publish(..., { kbId, apiKey }), presence(ch, { kbId, apiKey })', async () => {
    const kbId = service.kbId;
    const apiKey = service.apiKey;
    vi.stubEnv('OPENKBS_KB_ID', '');
    vi.stubEnv('OPENKBS_API_KEY', '');
    const tokenData = await seedPulse.getToken(kbId, apiKey, 'user-123');
    expect(Object.keys(tokenData).sort()).toEqual(['endpoint', 'expiresIn', 'region', 'token']);
    const raw = await connectRaw(tokenData.endpoint, kbId, tokenData.token, 'notifications');
    peers.push(raw);
    await seedPulse.publish('notifications', 'new_order', { orderId: '12345', total: 99.99 }, { kbId, apiKey });
    expect(await raw.next((f) => f.type === 'message')).toMatchObject({ data: { type: 'new_order', orderId: '12345' } });
    const { count, members } = await seedPulse.presence('chat', { kbId, apiKey });
    expect([count, members]).toEqual([0, []]);
  });

  it('getToken(userId) with credentials from the environment; default and named exports agree', async () => {
    const a = await getToken('env-user');
    const b = await pulse.getToken('env-user');
    expect(a.endpoint).toBe(service.wsUrl);
    expect(pulse.decodeToken(b.token)).toMatchObject({ userId: 'env-user', kbId: service.kbId });
    expect(Object.keys(pulse).sort()).toEqual(
      ['channels', 'close', 'createPulseClient', 'decodeToken', 'disable', 'enable', 'getToken', 'presence', 'publish', 'publishBatch', 'status', 'verifyToken'].sort(),
    );
  });

  it('missing env credentials name the variables', async () => {
    vi.stubEnv('OPENKBS_KB_ID', '');
    await expect(pulse.presence('chat')).rejects.toMatchObject({ code: 'missing_credentials', message: expect.stringContaining('OPENKBS_KB_ID') });
  });
});
