// An unsubscribe the service refuses (`rate_limited` when a burst of them passes its frame
// allowance) used to be forgotten at once: the channel was dropped from the client, the service
// kept the subscription, and its messages (and its place among the 1,000 channels a connection
// may hold) stayed for the rest of the connection. The refusal comes before the pong of a ping
// after the unsubscribe, as a subscribe's does; the unsubscribe is then sent again with the
// reconnect backoff, until the service takes it or the channel is wanted again.
import { describe, expect, it } from 'vitest';
import { flush, setupPulse } from './helpers.js';

type Setup = ReturnType<typeof setupPulse>;
const sent = (ws: Setup['ws'], action: string, channel = 'room') => ws.last.actions.filter((f) => f.action === action && 'channel' in f && f.channel === channel).length;

/** The service refuses what was just sent (naming `room`, or no channel), then answers the ping after it. */
const refuse = async (ws: Setup['ws'], channel?: string): Promise<void> => {
  await flush();
  ws.last.receive({ type: 'error', code: 'rate_limited', error: 'over 200 frames per second', ...(channel && { channel }) });
  ws.last.pong();
  await flush();
};

/** Connected, `room` subscribed and taken, then let go: the unsubscribe sent, unanswered yet. */
async function unsubscribed(setup: Setup): Promise<void> {
  const { ws, pulse } = setup;
  pulse.on('error', () => {});
  ws.last.accept();
  const off = pulse.channel('room').subscribe(() => {});
  await flush();
  ws.last.pong();
  await flush();
  off();
  expect(sent(ws, 'unsubscribe')).toBe(1);
}

/** `ms` of time on a connection whose pings are answered. */
async function quiet(setup: Setup, ms: number): Promise<void> {
  setup.ws.autoPong = true;
  for (let t = 0; t < ms; t += 500) {
    setup.clock.advance(500);
    await flush();
  }
}

describe('a refused unsubscribe', () => {
  it('rate_limited (no channel named), then the pong: sent again after the first backoff step, and not after the service took it', async () => {
    const setup = setupPulse();
    const { ws, clock } = setup;
    await unsubscribed(setup);
    await refuse(ws);
    clock.advance(999);
    expect(sent(ws, 'unsubscribe')).toBe(1);
    clock.advance(1);
    expect(sent(ws, 'unsubscribe')).toBe(2);
    await quiet(setup, 60_000);
    expect(sent(ws, 'unsubscribe')).toBe(2);
    expect(sent(ws, 'subscribe')).toBe(1);
  });

  it('refused naming the channel every time: sent again with backoff (1, 2, 5, 10, 30 s), not in a loop', async () => {
    const setup = setupPulse();
    const { ws, clock } = setup;
    await unsubscribed(setup);
    await refuse(ws, 'room');
    const times: number[] = [];
    for (let t = 0; t < 60_000; t += 500) {
      const before = sent(ws, 'unsubscribe');
      clock.advance(500);
      if (sent(ws, 'unsubscribe') > before) {
        times.push(t + 500);
        await refuse(ws, 'room');
      }
    }
    expect(times).toEqual([1_000, 3_000, 8_000, 18_000, 48_000]);
  });

  it('wanted again before the re-send: subscribed (once), and no unsubscribe follows', async () => {
    const setup = setupPulse();
    const { ws, pulse } = setup;
    await unsubscribed(setup);
    await refuse(ws);
    const got: unknown[] = [];
    pulse.channel('room').subscribe('m', (data) => got.push(data));
    await quiet(setup, 60_000);
    expect(sent(ws, 'unsubscribe')).toBe(1);
    expect(sent(ws, 'subscribe')).toBe(2);
    ws.last.receive({ type: 'message', channel: 'room', data: { type: 'm', n: 1 }, timestamp: 1 });
    expect(got).toEqual([{ type: 'm', n: 1 }]);
  });

  it('a refusal of another channel does not send this unsubscribe again', async () => {
    const setup = setupPulse();
    const { ws } = setup;
    await unsubscribed(setup);
    await refuse(ws, 'other');
    await quiet(setup, 60_000);
    expect(sent(ws, 'unsubscribe')).toBe(1);
  });

  it('the connection drops with the re-send scheduled: the new connection sends no unsubscribe (the service forgot the old one)', async () => {
    const setup = setupPulse();
    const { ws, clock } = setup;
    await unsubscribed(setup);
    await refuse(ws);
    const old = ws.last;
    old.drop(1006);
    clock.advance(1_000);
    expect(ws.last).not.toBe(old);
    ws.last.accept();
    await quiet(setup, 60_000);
    expect(sent(ws, 'unsubscribe')).toBe(0);
    expect(sent(ws, 'subscribe')).toBe(0);
  });

  it('disconnect() with the re-send scheduled leaves no timer behind', async () => {
    const setup = setupPulse();
    const { ws, pulse, clock } = setup;
    await unsubscribed(setup);
    await refuse(ws);
    pulse.disconnect();
    await flush();
    expect(clock.pending).toBe(0);
  });
});
