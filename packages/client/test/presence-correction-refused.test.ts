// An outside review found: the frame that tells the service the membership again after a presence change was
// rejected (docs/connection-states.md, "How a refused publish is told apart", point 4: "the
// service is told it again (`presence_update` with the confirmed data, or `presence_leave`)") is
// sent once and never checked. When the service refuses that frame too (a `rate_limited` error:
// refusals come in runs, and the correction goes out the moment the first one arrives), the
// service keeps the change the app was told failed, and the client believes the opposite for the
// rest of the connection:
//   - enter() rejected, its `presence_leave` refused: the service keeps a member the client thinks
//     it is not; a later leave() resolves at once with nothing sent, so the app cannot remove the
//     ghost (it stays until the connection ends).
//   - leave() rejected, its `presence_enter` refused: the client thinks it is a member, the
//     service has none, and no later frame enters it again.
// The `presence_enter` a new connection sends for a confirmed membership (resume) is just as
// unchecked: refused, the member is missing for the whole connection while the client is entered.
// Found with a randomised run against a simulated service; reproduced here step by step. The
// "service" below applies the client's presence frames in order, except the ones it refuses.
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

type Sent = { action: string; channel?: string; data?: unknown };

/** What the service holds for this connection in `channel`: the frames it took, applied in order. */
function serviceMembership(frames: Sent[], refused: Set<number>, channel: string): { entered: boolean; data?: unknown } {
  let held: { entered: boolean; data?: unknown } = { entered: false };
  frames.forEach((f, i) => {
    if (refused.has(i) || f.channel !== channel) return;
    if (f.action === 'presence_enter' || f.action === 'presence_update') held = { entered: true, data: f.data };
    if (f.action === 'presence_leave') held = { entered: false };
  });
  return held;
}

/** Answers every ping sent so far (and those its pongs bring), letting timers run a little. */
async function answerAll(setup: ReturnType<typeof setupPulse>) {
  const { ws, clock } = setup;
  let answered = 0;
  for (let round = 0; round < 20; round++) {
    const pings = ws.last.sent.filter((t) => t === '{"action":"ping"}').length;
    for (; answered < pings; answered++) ws.last.pong();
    await flush();
    clock.advance(1_000);
    await flush();
  }
}

const index = (frames: Sent[], action: string, nth = 0) => frames.map((f, i) => [f.action, i] as const).filter(([a]) => a === action)[nth]?.[1] ?? -1;

describe('a presence correction the service refuses as well', () => {
  it('enter() rejected, its presence_leave refused: leave() must still reach the service (no ghost member)', async () => {
    const setup = setupPulse();
    const { ws, pulse } = setup;
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {}); // the app listens to the room
    await answerAll(setup);

    const refused = new Set<number>();
    const entered = room.presence.enter({ name: 'Ada' });
    await flush();
    // The service took the enter, then refused a frame of the same ping window: the enter rejects.
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'too many frames' });
    expect(await settledAs(entered)).toBe('rate_limited');
    const correction = index(ws.last.frames, 'presence_leave');
    expect(correction).toBeGreaterThan(index(ws.last.frames, 'presence_enter')); // told "not entered"
    // Still rate limited: the service refuses the correction too.
    refused.add(correction);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'too many frames', channel: 'room' });
    await answerAll(setup);
    // The service still holds the member the app was told did not enter.
    expect(serviceMembership(ws.last.frames, refused, 'room').entered).toBe(true);

    // The app gives up on the room's presence: leave() resolves...
    const left = room.presence.leave();
    await answerAll(setup);
    expect(await settledAs(left)).toBe('resolved');
    // ...so the service must not hold the member any more. Actual: leave() resolved at once and
    // sent nothing (the client believed it was not entered); the ghost stays for the connection.
    expect(serviceMembership(ws.last.frames, refused, 'room')).toEqual({ entered: false });
  });

  it('leave() rejected, its presence_enter refused: the client and the service must agree on the membership', async () => {
    const setup = setupPulse();
    const { ws, pulse } = setup;
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {});
    const entered = room.presence.enter({ name: 'Ada' });
    await answerAll(setup);
    expect(await settledAs(entered)).toBe('resolved');

    const refused = new Set<number>();
    const left = room.presence.leave();
    await flush();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'too many frames' });
    expect(await settledAs(left)).toBe('rate_limited');
    // Told the confirmed membership again; refused as well.
    const correction = index(ws.last.frames, 'presence_enter', 1);
    expect(correction).toBeGreaterThan(index(ws.last.frames, 'presence_leave'));
    refused.add(correction);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'too many frames', channel: 'room' });
    await answerAll(setup);

    // The app was told its leave failed: it is still a member, with the data the service confirmed
    // (the membership goes back to the last confirmed one, docs point 4)...
    // ...and must be one for the service. Actual: the service took the leave and refused the
    // correction; no frame enters the member again while this connection lasts.
    expect(serviceMembership(ws.last.frames, refused, 'room')).toEqual({ entered: true, data: { name: 'Ada' } });
  });

  it('the re-entry sent on a new connection, refused: the member must come back (the client re-enters it)', async () => {
    const setup = setupPulse();
    const { ws, pulse, clock } = setup;
    pulse.on('error', () => {});
    ws.last.accept();
    const room = pulse.channel('room');
    room.subscribe('m', () => {});
    const entered = room.presence.enter({ name: 'Ada' });
    await answerAll(setup);
    expect(await settledAs(entered)).toBe('resolved');

    // The connection drops; the next one subscribes again and enters the member again.
    ws.last.drop(1006);
    clock.advance(1_000);
    await flush();
    ws.last.accept();
    await flush();
    const reentry = index(ws.last.frames, 'presence_enter');
    expect(reentry).toBeGreaterThanOrEqual(0);
    // The service refuses the re-entry (its channel named: the subscribe of the window counts as
    // refused too, and is sent again with backoff).
    const refused = new Set([reentry]);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'too many frames', channel: 'room' });
    await answerAll(setup);
    // The client is entered (no call of the app failed), so the service must have the member.
    // Actual: the channel is subscribed again and its list asked for again, but the member is
    // never entered again while this connection lasts: the others see the user gone.
    expect(serviceMembership(ws.last.frames, refused, 'room')).toEqual({ entered: true, data: { name: 'Ada' } });
  });
});
