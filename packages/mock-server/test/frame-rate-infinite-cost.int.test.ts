// The frame-rate limit was briefly one number per connection (GCRA: the time its frames were
// paid up to) instead of a token bucket. An outside review found: a tiny maxFramesPerSecond
// (1e-309, which the service accepts) made a frame's cost Infinity, every comparison with it
// false, and the limit gone.
// The limit is a token bucket again (service.ts allowFrame); this test holds it to the bucket.
import { afterEach, expect, it } from 'vitest';
import { systemClock, type Clock } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect, type RawClient } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

// A clock that moves only when the test sets `t` (backwards too); timers are real but unused here.
let t = Date.now();
const clock: Clock = { now: () => t, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
const answers = async (client: RawClient, n: number): Promise<string[]> => {
  const types: string[] = [];
  for (let i = 0; i < n; i++) types.push((await client.next((f) => f.type === 'pong' || f.type === 'error')).type);
  return types;
};
const pings = (client: RawClient, n: number) => { for (let i = 0; i < n; i++) client.send({ action: 'ping' }); };

it('a tiny maxFramesPerSecond still limits (1e-309 a second, burst 1)', async () => {
  t = Date.now();
  service = await createPulseService({ clock, maxFramesPerSecond: 1e-309, maxFrameBurst: 1 });
  const client = await connect(service, 'u');
  pings(client, 3);
  expect(await answers(client, 3)).toEqual(['pong', 'error', 'error']);
});
