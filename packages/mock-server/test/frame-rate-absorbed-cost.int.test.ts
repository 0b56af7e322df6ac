// The frame-rate limit was briefly one number per connection (GCRA: the time its frames were
// paid up to) instead of a token bucket. An outside review found: at a high rate on a
// connection open long enough, a frame's cost was below the precision of the paid-up time, so
// adding it changed nothing and any number of frames passed at once.
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

it('a burst of 1 at a high rate allows one frame at one instant on a long-open connection', async () => {
  t = Date.now();
  service = await createPulseService({ clock, maxFramesPerSecond: 1e8, maxFrameBurst: 1 });
  const client = await connect(service, 'u');
  t += 1e12; // the connection has been open a long time
  pings(client, 3);
  expect(await answers(client, 3)).toEqual(['pong', 'error', 'error']);
});
