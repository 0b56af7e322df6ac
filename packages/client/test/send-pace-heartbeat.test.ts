// An outside review found: while frames wait for the send pace, the heartbeat sends no ping ("frames waiting
// end in a ping of the queue's"), and the queue's ping waits at the END of the outbox. So a
// connection that went silent is not noticed for as long as the outbox takes to drain (here
// ~110 s), far past heartbeatIntervalMs + heartbeatTimeoutMs (20 s + 10 s): publishes wait on a
// dead socket, the state stays 'connected', no retry starts.
import { describe, expect, it } from 'vitest';
import { flush, setupPulse } from './helpers.js';

describe('heartbeat while frames wait for the pace', () => {
  it('a service gone silent is noticed within interval + timeout even with a long outbox', async () => {
    const { pulse, ws, clock } = setupPulse({ heartbeatIntervalMs: 20_000, heartbeatTimeoutMs: 10_000, maxQueueSize: 100_000 });
    pulse.on('error', () => {});
    ws.last.accept();
    ws.autoPong = true;
    const channel = pulse.channel('a');
    for (let i = 0; i < 20_000; i++) void channel.publish('e', { i }).catch(() => {});
    await flush();
    // The first confirming ping was answered; the service now goes silent (half-open TCP, crash).
    ws.autoPong = false;
    const first = ws.last;
    let silentFor = 0;
    while (silentFor < 45_000 && ws.sockets.length === 1) {
      clock.advance(500);
      silentFor += 500;
      await flush();
    }
    const pingsAfterSilence = first.sent.filter((t) => t === '{"action":"ping"}').length;
    expect({ state: pulse.state, sockets: ws.sockets.length, closedByClient: first.closedByClient, pingsAfterSilence, silentFor }).toMatchObject({
      closedByClient: true,
    });
  }, 60_000);
});
