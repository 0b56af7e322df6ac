// An outside review found: a refusal (an `error` frame) rejected every unconfirmed publish of its
// channel, including publishes whose frames still waited for the send pace; those frames then
// left anyway, and the service delivered publishes the app had been told were rejected. A frame
// not written yet cannot be what the service refused: such publishes go out and are confirmed.
import { MAX_FRAME_BURST } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

const BURST = MAX_FRAME_BURST / 2;

describe('a refusal while publishes wait for the send pace', () => {
  it('rejects what had left, not what was waiting; what waited is sent and confirmed', async () => {
    const { pulse, ws, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const channel = pulse.channel('a');
    const sent = Array.from({ length: BURST + 100 }, (_, i) => channel.publish('e', { i }));
    await flush();
    const left = ws.last.frames.filter((f) => f.action === 'publish').map((f) => (f as unknown as { data: { i: number } }).data.i);
    expect(left.length).toBeLessThan(BURST + 100);
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'too many', channel: 'a' });
    for (let s = 0; s < 3; s++) {
      clock.advance(1_000);
      await flush();
    }
    // The service answers every ping, in order (a pong confirms what was written before its ping).
    for (let answered = 0; answered < ws.last.sent.filter((t) => t === '{"action":"ping"}').length; answered++) {
      ws.last.pong();
      await flush();
    }
    const outcomes = await Promise.all(sent.map(settledAs));
    const rejected = outcomes.flatMap((o, i) => (o === 'limit_exceeded' ? [i] : []));
    expect(rejected).toEqual(left);
    expect(outcomes.slice(left.length)).toEqual(Array.from({ length: BURST + 100 - left.length }, () => 'resolved'));
    // Every publish went out once.
    expect(ws.last.frames.filter((f) => f.action === 'publish')).toHaveLength(BURST + 100);
  });
});
