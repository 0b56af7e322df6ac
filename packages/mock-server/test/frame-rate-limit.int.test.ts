// The per-connection frame-rate limit (service.ts allowFrame) is a token bucket: a burst of
// maxFrameBurst frames, refilled at maxFramesPerSecond of the service clock. For one session it
// was one number per connection instead (GCRA: the time its frames were paid up to), and outside
// reviews broke that form six ways, each a test here that the bucket passes:
// - a full burst at a fractional frame cost (6 a second) lost its last frame to rounding;
// - a clock set back (NTP, by hand) refused every frame until it was where it had been;
// - a small step back refused frames the bucket still had;
// - the reset added for large steps back gave an exhausted connection a whole new burst;
// - a rate of 1e-309 (which the service accepts) made a frame's cost Infinity and the limit vanish;
// - at a high rate on a long-open connection a frame's cost fell below the time's precision, so
//   any number of frames passed at one instant.
import { afterEach, expect, it } from 'vitest';
import { MAX_FRAME_BURST, systemClock, type Clock } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect, type RawClient } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

// A clock that moves only when a test sets `t` (backwards too); timers are real but unused here.
let t = Date.now();
const clock: Clock = { now: () => t, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };

/** The types of the next `n` answers to pings: a pong, or a rate_limited error, one per frame. */
const answers = async (client: RawClient, n: number): Promise<string[]> => {
  const types: string[] = [];
  for (let i = 0; i < n; i++) types.push((await client.next((f) => f.type === 'pong' || f.type === 'error')).type);
  return types;
};
const pings = (client: RawClient, n: number) => {
  for (let i = 0; i < n; i++) client.send({ action: 'ping' });
};

/** A service on the stepped clock (at now) and one client connected to it. */
async function connected(options: { maxFramesPerSecond?: number; maxFrameBurst?: number } = {}): Promise<RawClient> {
  t = Date.now();
  service = await createPulseService({ clock, ...options });
  return connect(service, 'u');
}

it('accepts a whole burst of maxFrameBurst frames after idling, whatever the rate (6 per second, burst 2)', async () => {
  const client = await connected({ maxFramesPerSecond: 6, maxFrameBurst: 2 });
  t += 60_000; // a minute idle: the bucket is full
  pings(client, 2);
  expect(await answers(client, 2)).toEqual(['pong', 'pong']);
});

it('a clock set back by a minute leaves a connection its burst', async () => {
  const client = await connected();
  // Under half the burst each time.
  const half = Math.floor(MAX_FRAME_BURST / 2) - 1;
  pings(client, half);
  expect(await answers(client, half)).toEqual(Array(half).fill('pong'));
  t -= 60_000;
  pings(client, half);
  expect(await answers(client, half)).toEqual(Array(half).fill('pong'));
});

it('a clock set back by less than a burst keeps the frames still allowed', async () => {
  const client = await connected({ maxFramesPerSecond: 6, maxFrameBurst: 2 });
  t += 60_000; // idle a minute: a full burst of 2
  pings(client, 1);
  expect(await answers(client, 1)).toEqual(['pong']); // one frame of the burst left
  t -= 250; // the system clock stepped back 250 ms
  pings(client, 1);
  expect(await answers(client, 1)).toEqual(['pong']);
});

it('a clock step back gives an exhausted connection no new burst', async () => {
  const client = await connected({ maxFramesPerSecond: 6, maxFrameBurst: 2 });
  t += 60_000;
  pings(client, 3);
  expect(await answers(client, 3)).toEqual(['pong', 'pong', 'error']);
  t -= 500; // the system clock stepped back half a second
  pings(client, 2);
  expect(await answers(client, 2)).toEqual(['error', 'error']);
});

it('a tiny maxFramesPerSecond still limits (1e-309 a second, burst 1)', async () => {
  const client = await connected({ maxFramesPerSecond: 1e-309, maxFrameBurst: 1 });
  pings(client, 3);
  expect(await answers(client, 3)).toEqual(['pong', 'error', 'error']);
});

it('a burst of 1 at a high rate allows one frame at one instant on a long-open connection', async () => {
  const client = await connected({ maxFramesPerSecond: 1e8, maxFrameBurst: 1 });
  t += 1e12; // the connection has been open a long time
  pings(client, 3);
  expect(await answers(client, 3)).toEqual(['pong', 'error', 'error']);
});
