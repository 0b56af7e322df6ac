// An outside review found: the barrier of a presence change takes as its frame number the count of frames taken
// when the BARRIER is transmitted, not the number of the presence frame itself. When frames are
// taken between the presence frame and the barrier (the presence request `_sync` sends right after
// presence_enter; on (re)connect, every channel's sync and the whole flushed queue), and those
// frames wait for the send pace, a refusal of the presence frame (written, refused by the service)
// arrives while `_written` < the barrier's number: the barrier is spared, its pong later resolves
// it, and enter() resolves although the service refused the enter.
import { MAX_FRAME_BURST } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

const BURST = MAX_FRAME_BURST / 2;
const PING = '{"action":"ping"}';

/** Lets the outbox drain and answers every ping, in order. */
async function drainAndPong(ws: ReturnType<typeof setupPulse>['ws'], clock: ReturnType<typeof setupPulse>['clock']) {
  for (let s = 0; s < 5; s++) {
    clock.advance(1_000);
    await flush();
  }
  for (let answered = 0; answered < ws.last.sent.filter((t) => t === PING).length; answered++) {
    ws.last.pong();
    await flush();
  }
}

describe('a refused presence change whose barrier waits for the send pace', () => {
  it('enter() queued before connecting, behind queued publishes: refused by the service, yet resolves', async () => {
    const { pulse, ws, clock } = setupPulse({ maxQueueSize: 2_000 });
    pulse.on('error', () => {});
    // While connecting, the app publishes on 'b' and enters 'a' (all queued).
    const publishes = Array.from({ length: 600 }, (_, i) => pulse.channel('b').publish('e', { i }));
    const enter = pulse.channel('a').presence.enter({ n: 1 });
    ws.last.accept();
    await flush();
    // resume: _sync('a') sends subscribe, presence_enter, presence at once (frames 1-3); the
    // flushed queue follows, past the pace's burst; the barrier of the enter is the last entry.
    const enterAt = ws.last.sent.findIndex((t) => t.includes('"presence_enter"'));
    expect(enterAt).toBeGreaterThanOrEqual(0);
    expect(enterAt).toBeLessThan(BURST);
    expect(ws.last.sent.length).toBe(BURST); // the rest waits in the outbox
    // The service refuses the presence_enter (written long ago): e.g. over its presence limit.
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'this connection is in 100 presence sets', channel: 'a' });
    await flush();
    await drainAndPong(ws, clock);
    expect(await Promise.all(publishes.map(settledAs))).toEqual(publishes.map(() => 'resolved'));
    // The service did not take the enter: enter() must reject (it resolves on current code).
    expect(await settledAs(enter)).toBe('limit_exceeded');
  });

  it('enter() while connected on a channel without presence set up: the presence request taken after presence_enter shields the barrier', async () => {
    const { pulse, ws, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    await flush();
    // Publishes on 'b' until 498 frames are written: subscribe 'a' is 499, presence_enter 'a' is
    // 500 (the last the burst allows), the presence request of 'a' (501) waits for the pace.
    const publishes: Promise<void>[] = [];
    while (ws.last.sent.length < BURST - 3) publishes.push(pulse.channel('b').publish('e', { i: publishes.length }));
    if (ws.last.sent.length === BURST - 3) pulse.channel('c').subscribe(() => {}); // one frame exactly
    expect(ws.last.sent.length).toBe(BURST - 2);
    const enter = pulse.channel('a').presence.enter({ n: 1 });
    expect(ws.last.sent.length).toBe(BURST);
    expect(JSON.parse(ws.last.sent[BURST - 1]!)).toMatchObject({ action: 'presence_enter', channel: 'a' });
    // The service refuses presence_enter (frame 500, written).
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'this connection is in 100 presence sets', channel: 'a' });
    await flush();
    await drainAndPong(ws, clock);
    expect(await settledAs(enter)).toBe('limit_exceeded');
  });
  it('enter() re-sent after a reconnect, behind publishes re-sent with it: refused by the service, yet resolves', async () => {
    const { pulse, ws, clock } = setupPulse({ maxQueueSize: 2_000 });
    pulse.on('error', () => {});
    ws.last.accept();
    await flush();
    const publishes = Array.from({ length: 600 }, (_, i) => pulse.channel('b').publish('e', { i }));
    const enter = pulse.channel('a').presence.enter({ n: 1 });
    // Lost before anything was confirmed: all of it goes back to the queue and is sent again.
    ws.last.drop(1006);
    await flush();
    while (ws.sockets.length < 2) {
      clock.advance(100);
      await flush();
    }
    ws.last.accept();
    await flush();
    expect(ws.last.sent.findIndex((t) => t.includes('"presence_enter"'))).toBeLessThan(BURST);
    expect(ws.last.sent.length).toBe(BURST);
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'this connection is in 100 presence sets', channel: 'a' });
    await flush();
    await drainAndPong(ws, clock);
    expect(await Promise.all(publishes.map(settledAs))).toEqual(publishes.map(() => 'resolved'));
    expect(await settledAs(enter)).toBe('limit_exceeded');
  });
});
