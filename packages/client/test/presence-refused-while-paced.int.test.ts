// An outside review found (real service): an enter() queued before the connection opened, behind publishes
// past the send pace's burst, is refused by the service (over maxPresencePerConnection), yet
// enter() resolves: the barrier's frame number is the count at the flush, not the presence
// frame's, so the refusal (which arrives while the flushed publishes still wait) spares it.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import Pulse from '../src/index.js';
import { serviceForEachTest, tokenFor } from './int-helpers.js';

const local = serviceForEachTest({ maxPresencePerConnection: 1 });

describe('refused presence enter behind a paced flush (real service)', () => {
  it('enter() rejects when the service refused it', async () => {
    const pulse = new Pulse({ kbId: local.service.kbId, token: await tokenFor(local.service, 'u'), endpoint: local.service.wsUrl, WebSocket: WebSocket as never, maxQueueSize: 2_000 });
    local.track(pulse);
    pulse.on('error', () => {});
    const refused: string[] = [];
    local.service.on('rejected', (code) => void refused.push(code));
    // Still connecting: all of this is queued.
    const first = pulse.channel('b').presence.enter({ n: 1 });
    const publishes = Array.from({ length: 600 }, (_, i) => pulse.channel('c').publish('e', { i }));
    // Over the presence limit (1): the service refuses this presence_enter with limit_exceeded.
    const second = pulse.channel('a').presence.enter({ n: 2 });
    const outcome = await second.then(
      () => 'resolved',
      (e: { code: string }) => e.code,
    );
    await first;
    await Promise.all(publishes);
    expect(refused).toEqual(['limit_exceeded']);
    expect(outcome).toBe('limit_exceeded');
  }, 15_000);
});
