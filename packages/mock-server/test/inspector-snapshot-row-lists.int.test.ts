// An outside review found: the inspector's snapshot was not capped where it said it was. Rows
// were capped (200 connections, 200 channels, 2,000 members), but each connection row carried its
// whole subscription and presence lists: 20 connections within the default limits (1,000
// subscriptions of 250-character names) made a 5 MB snapshot, over the 4 MiB the feed sends and a
// client accepts, so the page reconnected for ever. Now a row lists its first 10 names of each,
// with their exact counts (channelCount, presenceCount).
import { afterEach, expect, it } from 'vitest';
import { buildConnectUrl, MAX_CHANNEL_NAME_LENGTH, MAX_SUBSCRIPTIONS_PER_CONNECTION } from '@openkbs-pulse/protocol';
import { WebSocket } from 'ws';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;
let feed: WebSocket | undefined;
afterEach(async () => {
  feed?.terminate();
  closeAllClients();
  await service?.close();
  service = undefined;
});

it('keeps the inspector snapshot under 4 MiB when connections hold many long subscriptions (default limits)', async () => {
  service = await createPulseService();
  const names = Array.from({ length: MAX_SUBSCRIPTIONS_PER_CONNECTION }, (_, i) => `${i}-`.padEnd(MAX_CHANNEL_NAME_LENGTH - 6, 'c'));
  const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => connect(service!, `user-${i}`)));
  for (const client of clients) for (const channel of names) client.send({ action: 'subscribe', channel });
  await Promise.all(clients.map((client) => client.sync()));
  expect(clients.every((client) => client.frames.every((frame) => frame.type !== 'error'))).toBe(true);

  const grant = (await (await fetch(`${service.url}/_inspector/session`)).json()) as { kbId: string; token: string; endpoint: string; channel: string };
  feed = new WebSocket(buildConnectUrl(grant.endpoint, { kbId: grant.kbId, token: grant.token, channel: grant.channel }));
  let snapshot = '';
  const first = await new Promise<string>((resolve) => {
    feed!.once('message', (data) => {
      snapshot = String(data);
      resolve(`${Buffer.byteLength(snapshot)} bytes`);
    });
    feed!.once('close', (code) => resolve(`feed closed (${code}) before any snapshot arrived`));
    feed!.once('error', (error) => resolve(`feed error: ${error.message}`));
  });
  expect(first).toMatch(/^\d+ bytes$/);
  expect(Number.parseInt(first, 10)).toBeLessThan(4 * 1024 * 1024);
  // Each row lists a few names and counts them all.
  const rows = (JSON.parse(snapshot) as { data: { state: { connections: { userId: string; channels: string[]; channelCount: number; presenceCount: number }[] } } }).data.state.connections;
  const row = rows.find((r) => r.userId === 'user-0');
  expect(row).toMatchObject({ channelCount: MAX_SUBSCRIPTIONS_PER_CONNECTION, presenceCount: 0 });
  expect(row!.channels).toEqual(names.slice(0, 10));
});
