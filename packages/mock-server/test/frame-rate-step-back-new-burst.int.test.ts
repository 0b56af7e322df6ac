// The frame-rate limit was briefly one number per connection (GCRA: the time its frames were
// paid up to) instead of a token bucket. An outside review found: its fix for a clock
// stepping back far (start afresh) gave a connection that had used its burst a whole new one:
// 4 frames at once on a burst of 2.
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

it('a clock step back gives an exhausted connection no new burst', async () => {
  t = Date.now();
  service = await createPulseService({ clock, maxFramesPerSecond: 6, maxFrameBurst: 2 });
  const client = await connect(service, 'u');
  t += 60_000;
  pings(client, 3);
  expect(await answers(client, 3)).toEqual(['pong', 'pong', 'error']);
  t -= 500; // the system clock stepped back half a second
  pings(client, 2);
  expect(await answers(client, 2)).toEqual(['error', 'error']);
});
