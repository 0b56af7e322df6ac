// An outside review found: 05165e0 made a service time "ms since the epoch within Date's range" (validate.ts
// isTimestamp, MAX_TIME_MS 8.64e15) for frames and HTTP answers, but the local service's fake clock
// (fake-clock.ts createFakeClock/checkAdvance) still starts at any number and advances up to
// Number.MAX_VALUE. The local service then stamps publishes with times its own server SDK and
// client refuse: publish() over the HTTP API of pulse-local fails with invalid_response.
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseClient } from '@openkbs-pulse/server';
import { createFakeClock, createPulseService, type PulseService } from '../src/index.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function publishAt(clock: ReturnType<typeof createFakeClock>) {
  service = await createPulseService({ kbId: 'kb-clock', apiKey: 'key-clock', clock, inspector: false });
  const sdk = createPulseClient({ apiUrl: service.apiUrl, kbId: 'kb-clock', apiKey: 'key-clock', retries: 0, env: () => ({}) });
  try {
    return await sdk.publish('orders', 'created', { id: 1 }).then(
      (value) => ({ ok: true, timestamp: value.timestamp }),
      (error: { code?: string; message?: string }) => ({ ok: false, code: error.code, message: error.message }),
    );
  } finally {
    await sdk.close();
  }
}

describe('the fake clock and the service-time rule', () => {
  it('a clock advanced past Date\'s range is refused, or the service it drives still answers publishes its SDK accepts', async () => {
    const clock = createFakeClock();
    let refused = false;
    try {
      clock.advance(8.64e15);
    } catch (error) {
      refused = (error as { code?: string }).code === 'invalid_argument';
    }
    if (refused) return;
    expect(await publishAt(clock)).toMatchObject({ ok: true });
  });

  it('a clock started before the epoch is refused, or the service it drives still answers publishes its SDK accepts', async () => {
    let clock;
    try {
      clock = createFakeClock(-1000);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_argument' });
      return;
    }
    expect(await publishAt(clock)).toMatchObject({ ok: true });
  });
});
