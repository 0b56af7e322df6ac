// A subscribe the service refuses (`rate_limited` when a reconnect sends more frames than its
// burst allows, `limit_exceeded` past 1,000 channels) used to leave the channel believing it was
// subscribed: no message came for the rest of the connection. The refusal arrives before the pong
// of a ping after the subscribe; the channel is then subscribed again with the reconnect backoff,
// and its presence list asked for again (its changes did not come meanwhile).
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

const member = (n: number): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n });
const sent = (ws: { last: { frames: { action: string; channel?: string }[] } }, action: string, channel = 'room') =>
  ws.last.frames.filter((f) => f.action === action && f.channel === channel).length;

/** A minute on a connection that answers its heartbeat pings (the same socket throughout). */
async function quietMinute(ws: { autoPong: boolean; last: unknown }, clock: { advance(ms: number): void }): Promise<void> {
  const socket = ws.last;
  ws.autoPong = true;
  for (let i = 0; i < 60; i++) {
    clock.advance(1_000);
    await flush();
  }
  expect(ws.last).toBe(socket);
}

type Setup = ReturnType<typeof setupPulse>;
type Frame = { action: string; channel: string };

/** The service refuses the subscribe of `room` (limit_exceeded), then answers the ping after it. */
const refuseRoom = async (ws: Setup['ws']): Promise<void> => {
  await flush();
  ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'too many channels', channel: 'room' });
  ws.last.pong();
  await flush();
};

/** Over a minute, when `room` is subscribed again, each refused at once: the times of the re-sends. */
async function resendTimes({ ws, clock }: Setup): Promise<number[]> {
  const times: number[] = [];
  for (let t = 0; t < 60_000; t += 500) {
    const before = sent(ws, 'subscribe');
    clock.advance(500);
    if (sent(ws, 'subscribe') > before) {
      times.push(t + 500);
      await refuseRoom(ws);
    }
  }
  return times;
}

/** Plays the service for every frame sent so far: `answer` decides, pings are answered. */
const server = (ws: Setup['ws'], answer: (frame: Frame) => void) => {
  let seen = 0;
  return () => {
    const socket = ws.last;
    while (seen < socket.sent.length) {
      const frame = JSON.parse(socket.sent[seen++]!) as Frame;
      if (frame.action === 'ping') socket.pong();
      else answer(frame);
    }
  };
};

/** `ms` of time in `step` steps, the service answering what was sent. */
const run = async (clock: { advance(ms: number): void }, serve: () => void, ms: number, step = 500) => {
  for (let t = 0; t < ms; t += step) {
    await flush();
    serve();
    await flush();
    serve();
    clock.advance(step);
  }
};

describe('a refused subscribe', () => {
  it('rate_limited (no channel named), then the pong: subscribed again after the first backoff step, and messages flow', async () => {
    const { ws, pulse, clock } = setupPulse();
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.last.accept();
    const got: unknown[] = [];
    pulse.channel('room').subscribe('m', (data) => got.push(data));
    await flush();
    expect(ws.last.actions.slice(-2)).toEqual([{ action: 'subscribe', channel: 'room' }, { action: 'ping' }]);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'over 200 frames per second: this frame was dropped' });
    ws.last.pong();
    await flush();
    expect(errors).toEqual(['rate_limited']);
    expect(sent(ws, 'subscribe')).toBe(1);
    clock.advance(1_000);
    expect(sent(ws, 'subscribe')).toBe(2);
    await flush();
    ws.last.pong();
    await flush();
    await quietMinute(ws, clock);
    expect(sent(ws, 'subscribe')).toBe(2); // taken: not sent again
    ws.last.receive({ type: 'message', channel: 'room', data: { type: 'm', n: 1 }, timestamp: 1 });
    expect(got).toEqual([{ type: 'm', n: 1 }]);
  });

  it('limit_exceeded naming the channel, every time: sent again with backoff (1, 2, 5, 10, 30 s), not in a loop', async () => {
    const setup = setupPulse();
    const { ws, pulse } = setup;
    pulse.on('error', () => {});
    ws.last.accept();
    pulse.channel('room').subscribe(() => {});
    await refuseRoom(ws);
    expect(await resendTimes(setup)).toEqual([1_000, 3_000, 8_000, 18_000, 48_000]);
  });

  it('a refusal of another channel does not touch this one; a refusal of this channel re-subscribes (harmless when it was a publish)', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    pulse.channel('room').subscribe(() => {});
    pulse.channel('other').subscribe(() => {});
    await flush();
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'x', channel: 'other' });
    ws.last.pong();
    await flush();
    clock.advance(1_000);
    expect(sent(ws, 'subscribe', 'room')).toBe(1);
    expect(sent(ws, 'subscribe', 'other')).toBe(2);
  });

  it('unsubscribed while the subscribe was in flight: not subscribed again', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const off = pulse.channel('room').subscribe(() => {});
    await flush();
    off();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'x' });
    ws.last.pong();
    await flush();
    ws.last.pong(); // the ping after the unsubscribe (the refusal counts against it too: sent again)
    await quietMinute(ws, clock);
    expect(sent(ws, 'subscribe')).toBe(1);
  });

  it('the presence list of a channel whose subscribe was refused is asked for again with it', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    presence.subscribe(() => {});
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'x' });
    ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 1, members: [member(1)] });
    await flush();
    ws.last.pong();
    await flush();
    expect([sent(ws, 'subscribe'), sent(ws, 'presence')]).toEqual([1, 1]);
    clock.advance(1_000);
    expect([sent(ws, 'subscribe'), sent(ws, 'presence')]).toEqual([2, 2]);
    expect(ws.last.frames.slice(-2)).toEqual([
      { action: 'subscribe', channel: 'room' },
      { action: 'presence', channel: 'room' },
    ]);
  });

  it('disconnect() with a re-subscribe scheduled leaves no timer (Node exits)', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    pulse.channel('room').subscribe(() => {});
    await flush();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'x' });
    ws.last.pong();
    await flush();
    pulse.disconnect();
    await flush();
    expect(clock.pending).toBe(0);
  });

  // From an outside review of the first version: every channel of a burst past the service's
  // allowance was re-sent at once, refused again whole, for ever.
  it('600 channels tracking presence on a service with its frame allowance (burst 1,000, 200/s): every channel ends up subscribed, and the re-sends stop', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    const N = 600;
    for (let i = 0; i < N; i++) pulse.channel(`c${i}`).presence.subscribe(() => {});
    ws.last.accept();
    // The service's token bucket (mock-server allowFrame): pings pass, as a token is back within 5 ms.
    const BURST = 1_000;
    const PER_MS = 200 / 1_000;
    let allowance = BURST;
    let at = clock.now();
    let subscribes = 0;
    const subscribed = new Set<string>();
    const serve = server(ws, (frame) => {
      allowance = Math.min(BURST, allowance + (clock.now() - at) * PER_MS);
      at = clock.now();
      if (frame.action === 'subscribe') subscribes++;
      if (allowance < 1) return ws.last.receive({ type: 'error', code: 'rate_limited', error: 'dropped' });
      allowance--;
      if (frame.action === 'subscribe') subscribed.add(frame.channel);
      if (frame.action === 'presence') ws.last.receive({ type: 'presence', action: 'sync', channel: frame.channel, count: 0, members: [] });
    });
    await run(clock, serve, 300_000, 250);
    expect(subscribed.size).toBe(N);
    const settled = subscribes;
    await run(clock, serve, 120_000, 1_000);
    expect(subscribes).toBe(settled);
    expect(subscribes).toBeLessThan(3 * N);
  });

  it('refused as far as the client can tell (a publish of the channel was refused), then let go: the unsubscribe is sent (the service may hold the subscription)', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const off = pulse.channel('room').subscribe(() => {});
    void pulse.channel('room').publish('e', { big: 1 }).catch(() => {});
    await flush();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'x', channel: 'room' });
    ws.last.pong();
    await flush();
    off();
    expect(sent(ws, 'unsubscribe')).toBe(1);
  });

  it('a lone refusal an hour after an earlier one that was re-sent fine: re-sent after the first backoff step', async () => {
    const { ws, pulse, clock } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    pulse.channel('room').subscribe(() => {});
    const refuseOnce = async () => {
      await flush();
      ws.last.receive({ type: 'error', code: 'rate_limited', error: 'x' });
      ws.last.pong();
      await flush();
    };
    await refuseOnce();
    clock.advance(1_000);
    expect(sent(ws, 'subscribe')).toBe(2);
    await flush();
    ws.last.pong(); // taken
    await flush();
    ws.autoPong = true;
    for (let i = 0; i < 3_600; i++) {
      clock.advance(1_000);
      await flush();
    }
    ws.autoPong = false;
    pulse.channel('other').subscribe(() => {});
    await refuseOnce();
    clock.advance(1_000);
    expect(sent(ws, 'subscribe', 'other')).toBe(2);
  });

  // From a second outside review: rounds took the first 100 channels in order, and a subscribe
  // refusal cleared the presence list's sync and the presence error of the run.
  describe('rounds are fair, and presence stays as it was', () => {
    it('100 channels refused every time (limit_exceeded) do not keep channel 101, refused once, from being sent again', async () => {
      const { ws, pulse, clock } = setupPulse();
      pulse.on('error', () => {});
      ws.last.accept();
      for (let i = 0; i < 100; i++) pulse.channel(`full${i}`).subscribe(() => {});
      pulse.channel('late').subscribe(() => {});
      let refuseLate = true;
      const serve = server(ws, (frame) => {
        if (frame.action !== 'subscribe') return;
        if (frame.channel.startsWith('full')) ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'x', channel: frame.channel });
        else if (refuseLate) {
          refuseLate = false;
          ws.last.receive({ type: 'error', code: 'rate_limited', error: 'x', channel: frame.channel });
        }
      });
      await run(clock, serve, 600_000);
      expect(sent(ws, 'subscribe', 'late')).toBe(2);
    });

    it('nor a tracked channel whose sync was dropped once from being asked again', async () => {
      const { ws, pulse, clock } = setupPulse();
      pulse.on('error', () => {});
      ws.last.accept();
      for (let i = 0; i < 100; i++) pulse.channel(`full${i}`).subscribe(() => {});
      pulse.channel('room').presence.subscribe(() => {});
      let dropSync = true;
      const serve = server(ws, (frame) => {
        if (frame.action === 'subscribe' && frame.channel.startsWith('full')) ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'x', channel: frame.channel });
        if (frame.action === 'presence') {
          if (dropSync) dropSync = false;
          else ws.last.receive({ type: 'presence', action: 'sync', channel: frame.channel, count: 0, members: [] });
        }
      });
      await run(clock, serve, 600_000);
      expect(sent(ws, 'presence', 'room')).toBeGreaterThan(1);
    });

    it('a channel refused for good does not silence the presence error (invalid_response) of another channel', async () => {
      const { ws, pulse, clock } = setupPulse();
      const errors: string[] = [];
      pulse.on('error', (e) => errors.push(e.code));
      ws.last.accept();
      pulse.channel('full').subscribe(() => {});
      const serve = server(ws, (frame) => {
        if (frame.action === 'subscribe' && frame.channel === 'full') ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'x', channel: 'full' });
      });
      await run(clock, serve, 60_000);
      errors.length = 0;
      pulse.channel('room').presence.subscribe(() => {}); // its presence requests are dropped
      await run(clock, serve, 5_000);
      expect(errors).toContain('invalid_response');
    });

    it('a sync that came in the window of a refusal naming no channel stands: get() answers from it at once', async () => {
      const { ws, pulse } = setupPulse();
      pulse.on('error', () => {});
      ws.last.accept();
      const presence = pulse.channel('room').presence;
      presence.subscribe(() => {});
      await flush();
      ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 0, members: [] });
      ws.last.receive({ type: 'error', code: 'rate_limited', error: 'some publish' });
      ws.last.pong();
      await flush();
      expect(await settledAs(presence.get())).toBe('resolved');
    });

    // From a third review: the presence re-ask of the same round, answered by the list that
    // still stood, restarted the backoff every round.
    it('a tracked channel synced once, then its subscribe refused every time, backs off (1, 2, 5, 10, 30 s)', async () => {
      const setup = setupPulse();
      const { ws, pulse } = setup;
      pulse.on('error', () => {});
      ws.last.accept();
      pulse.channel('room').presence.subscribe(() => {});
      await flush();
      ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 0, members: [] });
      await refuseRoom(ws);
      expect(await resendTimes(setup)).toEqual([1_000, 3_000, 8_000, 18_000, 48_000]);
    });
  });
});
