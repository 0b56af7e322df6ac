// Publishing faster than the send pace (transport.ts) for long: the frames that wait for the pace
// are bounded. Before, they piled up without limit (a loop publishing 400 a second held ever more
// memory, each publish waiting longer than the last); now a publish that would wait past a
// minute of sending is rejected at once with `queue_full`, also an error event, and what waits
// still leaves in order and resolves.
import { MAX_FRAME_BURST, MAX_FRAMES_PER_SECOND } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { isPulseError } from '../src/index.js';
import { flush, settledAs, setupPulse } from './helpers.js';

const BURST = MAX_FRAME_BURST / 2;
/** A minute of frames at the pace: what may wait. */
const WAITING = MAX_FRAMES_PER_SECOND * 0.9 * 60;

describe('frames waiting for the send pace', () => {
  it('publishes past a minute of waiting frames reject at once with queue_full; the others resolve, in order', async () => {
    const { pulse, ws, clock } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const errors: unknown[] = [];
    pulse.on('error', (e) => errors.push(e));
    const channel = pulse.channel('a');
    const all = Array.from({ length: BURST + WAITING + 200 }, (_, i) => channel.publish('e', { i }));
    const states = await Promise.all(all.map(settledAs));
    // The waiting frames include the queue's pings (one per 100 publishes), so a few less fit.
    const taken = states.indexOf('queue_full');
    expect(taken).toBeGreaterThan(BURST + WAITING * 0.98);
    expect(taken).toBeLessThanOrEqual(BURST + WAITING);
    expect(new Set(states.slice(taken))).toEqual(new Set(['queue_full']));
    let refusal: unknown;
    all[taken]!.catch((e: unknown) => (refusal = e));
    await flush();
    expect(isPulseError(refusal)).toBe(true);
    expect(String((refusal as Error).message)).toMatch(/send pace.*less often/);
    expect(errors).toContain(refusal);
    for (let s = 0; s < 62; s++) {
      clock.advance(1_000);
      await flush();
    }
    const publishes = ws.last.frames.filter((f) => f.action === 'publish').map((f) => (f as unknown as { data: { i: number } }).data.i);
    expect(publishes).toEqual(Array.from({ length: taken }, (_, i) => i));
    expect(new Set(await Promise.all(all.slice(0, taken).map(settledAs)))).toEqual(new Set(['resolved']));
    // Room again once the waiting frames left.
    expect(await settledAs(channel.publish('e', { i: 0 }))).toBe('resolved');
  });
});
