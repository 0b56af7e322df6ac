// An outside review found: answers the local service legitimately gives are over the SDK's default
// maxResponseBytes (1 MiB, documented as "far above any answer of the API"; "API answers are a
// few KB"), so presence() and channels() fail with invalid_response against a valid service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { MAX_PRESENCE_MEMBERS, presenceDataProblem } from '@openkbs-pulse/protocol';
import { createPulseClient, type PulseClient } from '../src/client.js';
import { connectRaw, type RawPeer } from './ws-peer.js';

let service: PulseService;
let client: PulseClient;
const peers: RawPeer[] = [];

beforeAll(async () => {
  service = await createPulseService();
  client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, env: () => ({}), retries: 0 });
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await client.close();
  await service.close();
});

async function raw(userId: string): Promise<RawPeer> {
  const { token, endpoint } = await client.getToken(userId);
  const peer = await connectRaw(endpoint, service.kbId, token);
  peers.push(peer);
  return peer;
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    const e = error as Error & { code: string };
    return `${e.code}: ${e.message}`;
  }
}

describe('SDK reads of valid service answers', () => {
  it('presence() of a channel with 100 members carrying accepted presence data', async () => {
    // The largest presence data the service accepts (presence_update frame <= 32 KB).
    const data = { bio: 'x'.repeat(32_600) };
    expect(presenceDataProblem('room', data)).toBeUndefined();
    for (let i = 0; i < MAX_PRESENCE_MEMBERS; i++) {
      const peer = await raw(`user-${i}`);
      peer.send({ action: 'presence_enter', channel: 'room', data });
    }
    await expect.poll(() => service.stats().presenceMembers, { timeout: 10_000 }).toBe(100);
    // The WebSocket path gives the same snapshot without trouble:
    const watcher = await raw('watcher');
    watcher.send({ action: 'presence', channel: 'room' });
    const sync = (await watcher.next((f) => f.type === 'presence' && (f as { action: string }).action === 'sync', 10_000)) as { count: number; members: unknown[] };
    expect(sync.count).toBe(100);
    expect(sync.members).toHaveLength(100);
    // The server SDK's documented call for the same thing:
    expect(await outcome(client.presence('room'))).toBe('ok');
  });

  it('channels() of a kb with 5,000 active channels (5 connections x 1,000 subscriptions, all within limits)', async () => {
    for (let c = 0; c < 5; c++) {
      const peer = await raw(`sub-${c}`);
      for (let i = 0; i < 1000; i++) peer.send({ action: 'subscribe', channel: `ch-${c}-${i}-`.padEnd(200, 'y') });
    }
    await expect.poll(() => service.connections().reduce((n, c) => n + c.channels.length, 0), { timeout: 15_000 }).toBe(5000);
    expect(await outcome(client.channels())).toBe('ok');
  });
});
