// An outside review found: the frame-rate limit, rewritten as GCRA (one number per connection, the
// time its frames are paid up to), refused the last frame of a full burst at rates whose frame
// cost is fractional (6, 7, 11, 13, 60 a second): the paid-up time was a time since the epoch
// (about 1.7e12 ms), and rounding put a full burst a hair over the limit. With maxFrameBurst 2 and
// maxFramesPerSecond 6 an idle connection could send one frame at once, not two, unlike the token
// bucket before it. Now the time is counted from the connection's start, with a thousandth of a
// frame's cost of tolerance.
import { afterEach, expect, it } from 'vitest';
import { createFakeClock, createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

it('accepts a whole burst of maxFrameBurst frames after idling, whatever the rate (6 per second, burst 2)', async () => {
  const clock = createFakeClock();
  service = await createPulseService({ clock, maxFramesPerSecond: 6, maxFrameBurst: 2 });
  const client = await connect(service, 'u');
  clock.advance(60_000); // a minute idle: the bucket is full
  client.send({ action: 'ping' });
  client.send({ action: 'ping' });
  // Two answers come back, one per frame: a pong, or a rate_limited error.
  const answer = (f: { type?: unknown }) => f.type === 'pong' || f.type === 'error';
  const answers = [await client.next(answer), await client.next(answer)];
  expect(answers.map((f) => f.type)).toEqual(['pong', 'pong']);
});
