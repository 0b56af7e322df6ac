// An outside review found: createPulseService took `maxFrameBurst: 0.5` (any positive number), and
// then refused every frame, ping included, with `rate_limited` for the life of the connection: the
// token bucket is capped at the burst, and a frame needs a whole one.
//
// The count limits (frames at once, channels, presence sets per connection) count whole things,
// as the CLI already says ("--max-frame-burst must be a positive integer"): a fraction is refused
// at creation with PulseError `invalid_argument` naming the option and the values it takes, as
// NaN and 0 are (connection-limits.int.test.ts). Infinity means no limit (a test that is not
// about limits switches them off so). maxFramesPerSecond is a rate, not a count: a fraction there
// is a slow rate, still allowed.
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService, type PulseServiceOptions } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

async function started(options: PulseServiceOptions): Promise<PulseService | 'invalid_argument'> {
  try {
    return (service = await createPulseService(options));
  } catch (error) {
    expect(error).toMatchObject({ code: 'invalid_argument' });
    return 'invalid_argument';
  }
}

it('maxFrameBurst: 0.5 is refused (it would refuse every frame)', async () => {
  expect(await started({ maxFrameBurst: 0.5 })).toBe('invalid_argument');
});

it('maxPresencePerConnection: 0.5 is refused too', async () => {
  expect(await started({ maxPresencePerConnection: 0.5 })).toBe('invalid_argument');
});

describe.each(['maxFrameBurst', 'maxSubscriptionsPerConnection', 'maxPresencePerConnection'] as const)('%s', (name) => {
  it.each([0.5, 1.5, 999.9, Number.NEGATIVE_INFINITY])(`${name}: %s is refused with a message naming it and the values it takes`, async (value) => {
    const error: unknown = await createPulseService({ [name]: value }).then(
      (created) => {
        service = created;
        return undefined;
      },
      (refusal: unknown) => refusal,
    );
    expect(error).toMatchObject({ code: 'invalid_argument' });
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).toMatch(/whole number/);
  });
});

it('whole limits of 1 still allow one frame, one channel and one presence set', async () => {
  const svc = await started({ maxFrameBurst: 1, maxFramesPerSecond: 1000, maxSubscriptionsPerConnection: 1, maxPresencePerConnection: 1 });
  if (svc === 'invalid_argument') throw new Error('whole limits of 1 were refused');
  const client = await connect(svc, 'alice', { channel: 'room' });
  client.send({ action: 'ping' });
  expect((await client.next()).type).toBe('pong');
  await new Promise((resolve) => setTimeout(resolve, 20)); // the bucket refills one frame a millisecond
  client.send({ action: 'presence_enter', channel: 'room' });
  expect(await client.next()).toMatchObject({ type: 'presence', action: 'enter' });
});

it('maxFramesPerSecond is a rate: a fraction is still allowed', async () => {
  const svc = await started({ maxFramesPerSecond: 0.5 });
  if (svc === 'invalid_argument') throw new Error('maxFramesPerSecond: 0.5 was refused');
  const client = await connect(svc, 'alice');
  client.send({ action: 'ping' });
  expect((await client.next()).type).toBe('pong');
});

it('Infinity is no limit for a count: 1,500 frames at once are all answered', async () => {
  const svc = await started({ maxFrameBurst: Number.POSITIVE_INFINITY, maxSubscriptionsPerConnection: Number.POSITIVE_INFINITY, maxPresencePerConnection: Number.POSITIVE_INFINITY });
  if (svc === 'invalid_argument') throw new Error('Infinity was refused');
  const client = await connect(svc, 'alice');
  for (let i = 0; i < 1_500; i++) client.send({ action: 'ping' });
  for (let i = 0; i < 1_500; i++) expect((await client.next()).type).toBe('pong');
});
