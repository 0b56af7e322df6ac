// An outside review found: the client sent every frame at once, so a loop of publishes past the
// service's burst allowance was dropped with `rate_limited` errors naming no channel, which
// rejected every unconfirmed publish, on every channel, including those the service took. Frames
// now leave at a pace under the service's allowance (transport.ts), in order.
import { MAX_FRAME_BURST, MAX_FRAMES_PER_SECOND } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

const BURST = MAX_FRAME_BURST / 2;
const RATE = MAX_FRAMES_PER_SECOND * 0.9;

describe('the pace of outgoing frames', () => {
  it('a burst past the allowance waits, leaves in order within the rate, and every publish resolves', async () => {
    const { pulse, ws, clock } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const channel = pulse.channel('a');
    const sent = Array.from({ length: 1_200 }, (_, i) => channel.publish('e', { i }));
    await flush();
    expect(ws.last.sent).toHaveLength(BURST);
    for (let second = 1; second <= 5; second++) {
      clock.advance(1_000);
      await flush();
      expect(ws.last.sent.length).toBeLessThanOrEqual(BURST + RATE * second + 1);
    }
    const publishes = ws.last.frames.filter((f) => f.action === 'publish');
    expect(publishes.map((f) => (f as unknown as { data: { i: number } }).data.i)).toEqual(Array.from({ length: 1_200 }, (_, i) => i));
    expect(await Promise.all(sent.map(settledAs))).toEqual(sent.map(() => 'resolved'));
    expect(ws.sockets).toHaveLength(1);
  });

  it('frames waiting longer than the heartbeat timeout do not end the connection (the pong deadline counts from the ping sent)', async () => {
    const { pulse, ws, clock } = setupPulse({ heartbeatIntervalMs: 2_000, heartbeatTimeoutMs: 1_000 });
    ws.last.accept();
    ws.autoPong = true;
    const sent = Array.from({ length: 3_000 }, (_, i) => pulse.channel('a').publish('e', { i }));
    for (let t = 0; t < 200; t++) {
      clock.advance(100);
      await flush();
    }
    expect(ws.sockets).toHaveLength(1);
    expect(pulse.state).toBe('connected');
    expect(await Promise.all(sent.map(settledAs))).toEqual(sent.map(() => 'resolved'));
  });

  it('what waits when the connection drops is sent again on the next one, once', async () => {
    // Room for all of them when they go back to the queue (else the bound rejects the rest: queue_full).
    const { pulse, ws, clock } = setupPulse({ maxQueueSize: 1_000 });
    ws.last.accept();
    const sent = Array.from({ length: BURST + 10 }, (_, i) => pulse.channel('a').publish('e', { i }));
    await flush();
    const first = ws.last;
    first.drop(1006);
    clock.advance(1_000);
    await flush();
    expect(ws.sockets).toHaveLength(2);
    ws.autoPong = true;
    ws.last.accept();
    for (let s = 0; s < 3; s++) {
      clock.advance(1_000);
      await flush();
    }
    // Nothing more left on the old socket after it dropped.
    expect(first.sent).toHaveLength(BURST);
    expect(ws.last.frames.filter((f) => f.action === 'publish')).toHaveLength(BURST + 10);
    expect(await Promise.all(sent.map(settledAs))).toEqual(sent.map(() => 'resolved'));
  });
});
