// An outside review found: open()'s own refusals before any socket (an expired token nothing can
// refresh, a token for another kbId, a bad endpoint) were dispatched inside the connect() that
// asked. An app that reconnects on failure
//   pulse.onStateChange((s) => { if (s === 'failed') pulse.connect(); })
//   realtime.connection.on('failed', () => realtime.connect())
// spun in one synchronous loop (connect → connecting → refused → failed → listener → connect …)
// that never yielded: the tab or Node process hung, and no timer or I/O ran again. The seed's
// setup (a token, no authCallback) left open past the token's exp got there: the service closes
// with 4001, the client is `failed`, the listener calls connect(). Such a refusal is now told from
// a timer, as the transport tells a WebSocket constructor that throws: one attempt per turn.
// The listeners are capped so that the test fails rather than hangs.
import { describe, expect, it } from 'vitest';
import { flush, makeToken, setupPulse, setupRealtime, type Setup } from './helpers.js';

const CAP = 20;

/** Keeps the connection up (pongs answered) past the token's exp; then the service closes it with 4001. */
async function outliveToken({ ws, clock }: Setup): Promise<void> {
  ws.autoPong = true;
  ws.last.accept();
  await flush();
  for (let t = 0; t <= 3_600_000; t += 10_000) {
    clock.advance(10_000);
    await flush();
  }
  expect(ws.sockets).toHaveLength(1); // still the first connection
  ws.last.drop(4001, 'token expired');
  await flush();
}

describe('connect() from a `failed` listener makes one attempt per turn', () => {
  it('Pulse (seed options, token expired while the page was open)', async () => {
    const setup = setupPulse(); // token exp = now + 1 h, no authCallback / authUrl
    const { pulse, clock } = setup;
    let reconnects = 0;
    pulse.onStateChange((state) => {
      if (state === 'failed' && reconnects < CAP) {
        reconnects++;
        pulse.connect();
      }
    });
    await outliveToken(setup); // failed (token_expired): the listener reconnects once
    expect(reconnects).toBe(1);
    expect(pulse.state).toBe('connecting');
    // The refusal of that attempt comes from a timer; the listener's next attempt waits for another.
    clock.runAll(1);
    expect(reconnects).toBe(2);
    expect(pulse.state).toBe('connecting');
  });

  it('Pulse.Realtime: a Retry button calling connect() on a failed client', async () => {
    const setup = setupRealtime();
    const { realtime, clock } = setup;
    await outliveToken(setup);
    expect(realtime.connection.state).toBe('failed');
    let reconnects = 0;
    const reasons: (string | undefined)[] = [];
    realtime.connection.on('failed', (change) => {
      reasons.push(change.reason?.code);
      if (reconnects < CAP) {
        reconnects++;
        realtime.connect();
      }
    });
    realtime.connect(); // the user presses "Retry"
    expect(reconnects).toBe(0);
    expect(realtime.connection.state).toBe('connecting');
    clock.runAll(1);
    // Refused, with why, on a later turn; the listener's attempt waits for the next.
    expect(reasons).toEqual(['token_expired']);
    expect(reconnects).toBe(1);
    expect(realtime.connection.state).toBe('connecting');
  });

  it('close() before the refusal is told cancels it', () => {
    const expired = makeToken({ endpoint: 'wss://pulse.test', exp: Date.UTC(2024, 0, 1) / 1000 - 60 });
    const { realtime, clock } = setupRealtime({ autoConnect: false, token: expired });
    const states: string[] = [];
    realtime.connection.on((change) => void states.push(change.current));
    realtime.connect();
    realtime.close();
    clock.runAll();
    expect(states).toEqual(['connecting', 'closing', 'closed']);
    expect(clock.pending).toBe(0);
  });
});
