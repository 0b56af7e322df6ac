import { afterEach, describe, expect, it, vi } from 'vitest';
import { setupPulse } from './helpers.js';

describe('heartbeat', () => {
  it('pings after heartbeatIntervalMs of silence and keeps the connection when anything answers', () => {
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    clock.advance(19_999);
    expect(ws.last.sent).toEqual([]);
    clock.advance(1);
    expect(ws.last.actions).toEqual([{ action: 'ping' }]);
    clock.advance(5_000);
    ws.last.receive({ type: 'pong', timestamp: clock.now() });
    clock.advance(19_999); // the pong reset the silence: no ping due, nothing timed out
    expect(ws.last.actions).toEqual([{ action: 'ping' }]);
    expect(pulse.state).toBe('connected');
    expect(ws.sockets).toHaveLength(1);
  });

  it('does not ping while messages flow', () => {
    const { ws, clock } = setupPulse();
    ws.last.accept();
    for (let i = 0; i < 10; i++) {
      clock.advance(15_000);
      ws.last.receive({ type: 'message', channel: 'c', data: { type: 'x' }, timestamp: 1 });
    }
    expect(ws.last.sent).toEqual([]);
  });

  it('after a stream of frames, pings once the silence reaches the interval, at most a quarter late', () => {
    const { ws, clock } = setupPulse();
    ws.last.accept();
    for (let t = 1; t <= 30; t++) {
      clock.advance(1000);
      ws.last.receive({ type: 'message', channel: 'c', data: { type: 'x' }, timestamp: 1 });
    }
    clock.advance(19_999); // 20 s of silence less 1 ms: never early
    expect(ws.last.sent).toEqual([]);
    clock.advance(5_001); // 25 s: a quarter interval late at most
    expect(ws.last.actions).toEqual([{ action: 'ping' }]);
  });

  // Found by review: a frame right after a check was dated at the next full-interval timer, so a
  // dead connection went unnoticed for up to 2 x interval + timeout, an idle connection pinged
  // every interval + timeout, and a wake-up check pushed the ping a whole interval out.
  it('one frame, then silence: the ping is at most a quarter interval late, the drop noticed by 1.25 x interval + timeout', () => {
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    clock.advance(1);
    ws.last.receive({ type: 'message', channel: 'c', data: { type: 'x' }, timestamp: 1 });
    clock.advance(20_000 - 1); // 20 s since the open, 19.999 s since the frame: no ping yet
    expect(ws.last.sent).toEqual([]);
    clock.advance(5_001);
    expect(ws.last.actions).toEqual([{ action: 'ping' }]);
    clock.advance(10_000);
    expect(pulse.state).toBe('reconnecting');
  });

  it('an idle connection pings every interval after each pong', () => {
    const { ws, clock } = setupPulse();
    ws.last.accept();
    for (let round = 1; round <= 3; round++) {
      clock.advance(19_999);
      expect(ws.last.actions).toHaveLength(round - 1);
      clock.advance(1); // exactly 20 s after the open, then after each pong
      expect(ws.last.actions).toHaveLength(round);
      clock.advance(500);
      ws.last.receive({ type: 'pong', timestamp: clock.now() });
    }
  });

  it('a wake-up check while a frame is flagged does not push the ping out', () => {
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    clock.advance(1);
    ws.last.receive({ type: 'message', channel: 'c', data: { type: 'x' }, timestamp: 1 });
    clock.advance(18_999);
    pulse.connect(); // connected already: checks the connection now (as `online` does)
    clock.advance(6_001); // 25 s after the frame
    expect(ws.last.actions).toEqual([{ action: 'ping' }]);
  });

  it('replaces a connection that stops answering within interval + timeout', () => {
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    clock.advance(20_000); // ping
    clock.advance(9_999);
    expect(pulse.state).toBe('connected');
    clock.advance(1);
    expect(pulse.state).toBe('reconnecting');
    expect(ws.sockets[0]!.closedByClient).toBe(true);
    clock.advance(1000);
    expect(ws.sockets).toHaveLength(2);
  });

  it('times out a connect attempt that never opens', () => {
    const { ws, clock, pulse } = setupPulse();
    clock.advance(30_000);
    expect(pulse.state).toBe('reconnecting');
    expect(ws.sockets[0]!.closedByClient).toBe(true);
  });

  it('honours small heartbeat options', () => {
    const { ws, clock, pulse } = setupPulse({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 50 });
    ws.last.accept();
    clock.advance(150);
    expect(pulse.state).toBe('reconnecting');
  });
});

describe('browser wake-ups', () => {
  // Listeners as the DOM takes them: functions, or objects with `handleEvent` (the engine is one).
  type Listener = ((event: { type: string }) => void) | { handleEvent(event: { type: string }): void };
  const windowListeners = new Map<string, Listener[]>();
  const docListeners = new Map<string, Listener[]>();
  const doc = {
    visibilityState: 'visible' as 'visible' | 'hidden',
    addEventListener: (t: string, l: Listener) => docListeners.set(t, [...(docListeners.get(t) ?? []), l]),
    removeEventListener: (t: string, l: Listener) => docListeners.set(t, (docListeners.get(t) ?? []).filter((x) => x !== l)),
  };
  const fire = (map: Map<string, Listener[]>, type: string) =>
    map.get(type)?.forEach((l) => (typeof l === 'function' ? l({ type }) : l.handleEvent({ type })));
  const stub = () => {
    vi.stubGlobal('addEventListener', (t: string, l: Listener) => windowListeners.set(t, [...(windowListeners.get(t) ?? []), l]));
    vi.stubGlobal('removeEventListener', (t: string, l: Listener) =>
      windowListeners.set(t, (windowListeners.get(t) ?? []).filter((x) => x !== l)),
    );
    vi.stubGlobal('document', doc);
  };
  afterEach(() => {
    vi.unstubAllGlobals();
    windowListeners.clear();
    docListeners.clear();
    doc.visibilityState = 'visible';
  });

  it('reconnects at once on `online` instead of waiting for the backoff', () => {
    stub();
    const { ws } = setupPulse();
    ws.last.accept();
    ws.last.drop(1006);
    ws.last.accept();
    for (let i = 0; i < 3; i++) ws.last.drop(1006);
    expect(ws.sockets).toHaveLength(1);
    fire(windowListeners, 'online');
    expect(ws.sockets).toHaveLength(2);
  });

  it('on visible after hidden: pings a silent connection at once (throttled timers did not)', () => {
    stub();
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    doc.visibilityState = 'hidden';
    fire(docListeners, 'visibilitychange');
    // Throttled background timers: time passes without the heartbeat timer running.
    (clock as { now: () => number }).now = ((base) => () => base + 25_000)(clock.now());
    doc.visibilityState = 'visible';
    fire(docListeners, 'visibilitychange');
    expect(ws.last.actions).toEqual([{ action: 'ping' }]);
    expect(pulse.state).toBe('connected');
  });

  it('on visible after hidden while reconnecting: reconnects at once', () => {
    stub();
    const { ws } = setupPulse();
    ws.last.drop(1006);
    doc.visibilityState = 'hidden';
    fire(docListeners, 'visibilitychange');
    expect(ws.sockets).toHaveLength(1);
    doc.visibilityState = 'visible';
    fire(docListeners, 'visibilitychange');
    expect(ws.sockets).toHaveLength(2);
  });

  it('removes its window and document listeners on disconnect() and on failure', () => {
    stub();
    const a = setupPulse();
    expect(windowListeners.get('online')).toHaveLength(1);
    expect(docListeners.get('visibilitychange')).toHaveLength(1);
    a.pulse.disconnect();
    expect(windowListeners.get('online')).toHaveLength(0);
    expect(docListeners.get('visibilitychange')).toHaveLength(0);
    const b = setupPulse();
    b.ws.last.refuse(403, { error: 'x', code: 'forbidden' });
    expect(windowListeners.get('online')).toHaveLength(0);
  });
});
