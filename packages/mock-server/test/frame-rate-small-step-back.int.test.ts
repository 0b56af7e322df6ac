// The frame-rate limit was briefly one number per connection (GCRA: the time its frames were
// paid up to) instead of a token bucket. An outside review found: a clock stepping back a
// little (250 ms, within a burst) refused frames the bucket still had, since the paid-up time
// was then further ahead of now.
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

it('a clock set back by less than a burst keeps the frames still allowed', async () => {
  t = Date.now();
  service = await createPulseService({ clock, maxFramesPerSecond: 6, maxFrameBurst: 2 });
  const client = await connect(service, 'u');
  t += 60_000; // idle a minute: a full burst of 2
  pings(client, 1);
  expect(await answers(client, 1)).toEqual(['pong']); // one frame of the burst left
  t -= 250; // the system clock stepped back 250 ms
  pings(client, 1);
  expect(await answers(client, 1)).toEqual(['pong']);
});
