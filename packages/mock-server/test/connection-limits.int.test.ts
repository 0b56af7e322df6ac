// Issue 12, finding 4: per-connection limits. One socket can no longer hold 200,000
// subscriptions or 8,000 presence entries, nor flood the service with frames: each refusal is a
// typed `error` frame and the connection stays usable.
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_FRAME_BURST,
  MAX_FRAMES_PER_SECOND,
  MAX_PRESENCE_ENTRIES_PER_CONNECTION,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  PulseError,
} from '@openkbs-pulse/protocol';
import { createFakeClock, createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect, type Frame } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

const errors = (frames: Frame[]) => frames.filter((f) => f.type === 'error');

describe('per-connection limits', () => {
  it(`refuses subscription ${MAX_SUBSCRIPTIONS_PER_CONNECTION + 1} with limit_exceeded (default) and keeps the connection`, async () => {
    service = await createPulseService({ maxFrameBurst: 1e6 });
    const client = await connect(service, 'greedy');
    for (let i = 0; i <= MAX_SUBSCRIPTIONS_PER_CONNECTION; i++) client.send({ action: 'subscribe', channel: `c${i}` });
    client.send({ action: 'subscribe', channel: 'c0' }); // already subscribed: not a new one
    const refusal = await client.nextType('error');
    expect(refusal).toMatchObject({ code: 'limit_exceeded', channel: `c${MAX_SUBSCRIPTIONS_PER_CONNECTION}` });
    await client.sync();
    expect(errors(client.frames)).toHaveLength(1);
    expect(service.connections()[0]!.channels).toHaveLength(MAX_SUBSCRIPTIONS_PER_CONNECTION);
    // Unsubscribing makes room again.
    client.send({ action: 'unsubscribe', channel: 'c1' });
    client.send({ action: 'subscribe', channel: 'fresh' });
    await client.sync();
    expect(service.connections()[0]!.channels).toContain('fresh');
  });

  it(`refuses presence set ${MAX_PRESENCE_ENTRIES_PER_CONNECTION + 1} with limit_exceeded (default); updates of sets it is in still pass`, async () => {
    service = await createPulseService();
    const client = await connect(service, 'greedy');
    for (let i = 0; i <= MAX_PRESENCE_ENTRIES_PER_CONNECTION; i++) client.send({ action: 'presence_enter', channel: `p${i}`, data: { i } });
    expect(await client.nextType('error')).toMatchObject({ code: 'limit_exceeded', channel: `p${MAX_PRESENCE_ENTRIES_PER_CONNECTION}` });
    client.send({ action: 'presence_update', channel: 'p0', data: { again: true } });
    await client.sync();
    expect(errors(client.frames)).toHaveLength(1);
    expect(service.connections()[0]!.presence).toHaveLength(MAX_PRESENCE_ENTRIES_PER_CONNECTION);
    expect(service.stats().presenceMembers).toBe(MAX_PRESENCE_ENTRIES_PER_CONNECTION);
  });

  it('honours smaller limits given as options', async () => {
    service = await createPulseService({ maxSubscriptionsPerConnection: 2, maxPresencePerConnection: 1 });
    const client = await connect(service, 'u', { channel: 'first' });
    client.send({ action: 'subscribe', channel: 'second' });
    client.send({ action: 'subscribe', channel: 'third' });
    expect(await client.nextType('error')).toMatchObject({ code: 'limit_exceeded', channel: 'third' });
    client.send({ action: 'presence_enter', channel: 'x' });
    client.send({ action: 'presence_enter', channel: 'y' });
    expect(await client.nextType('error')).toMatchObject({ code: 'limit_exceeded', channel: 'y' });
  });

  it(`limits frames to a burst of ${MAX_FRAME_BURST}, then ${MAX_FRAMES_PER_SECOND} per second of the service clock (rate_limited)`, async () => {
    const clock = createFakeClock();
    service = await createPulseService({ clock });
    const client = await connect(service, 'chatty');
    for (let i = 0; i < MAX_FRAME_BURST + 3; i++) client.send({ action: 'ping' });
    const refusal = await client.nextType('error');
    expect(refusal).toMatchObject({ code: 'rate_limited' });
    // Wait for the rest of the answers: the 3 frames over the burst were refused, the others answered.
    for (let i = 0; i < 2; i++) await client.nextType('error');
    expect(client.frames.filter((f) => f.type === 'pong')).toHaveLength(MAX_FRAME_BURST);
    // Half a second of service time later, half the rate is allowed again.
    clock.advance(500);
    for (let i = 0; i < MAX_FRAMES_PER_SECOND / 2 + 1; i++) client.send({ action: 'ping' });
    await client.nextType('error');
    expect(client.frames.filter((f) => f.type === 'pong')).toHaveLength(MAX_FRAME_BURST + MAX_FRAMES_PER_SECOND / 2);
    expect(service.connections()).toHaveLength(1);
  });

  it('refuses a limit that is not a positive number with a typed error', async () => {
    await expect(createPulseService({ maxSubscriptionsPerConnection: 0 })).rejects.toThrow(PulseError);
    await expect(createPulseService({ maxFramesPerSecond: Number.NaN })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
