// The frame-rate limit keeps a connection's frames paid up to a time (GCRA). A service clock that
// steps back (the system clock set back by NTP or by hand) must not make every connection look
// a burst over its limit: the token bucket it replaced kept the frames still allowed, and so
// does this. Without the check, each connection was refused every frame until the clock caught
// up with where it had been.
import { afterEach, expect, it } from 'vitest';
import { MAX_FRAME_BURST, systemClock, type Clock } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

it('a clock set back by a minute leaves a connection its burst', async () => {
  let offset = 0;
  const clock: Clock = { now: () => systemClock.now() + offset, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
  service = await createPulseService({ clock });
  const client = await connect(service, 'steady');
  // Under half the burst each time, answered (a pong or an error for each ping).
  const half = Math.floor(MAX_FRAME_BURST / 2) - 1;
  const answers = async (): Promise<string[]> => {
    const types: string[] = [];
    for (let i = 0; i < half; i++) types.push((await client.next((f) => f.type === 'pong' || f.type === 'error')).type);
    return types;
  };
  for (let i = 0; i < half; i++) client.send({ action: 'ping' });
  expect(await answers()).toEqual(Array(half).fill('pong'));
  offset = -60_000;
  for (let i = 0; i < half; i++) client.send({ action: 'ping' });
  expect(await answers()).toEqual(Array(half).fill('pong'));
});
