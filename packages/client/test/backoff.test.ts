import { RECONNECT_DELAYS_MS } from '@openkbs-pulse/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, JITTER, STABLE_CONNECTION_MS } from '../src/backoff.js';
import { setupPulse } from './helpers.js';

describe('backoff', () => {
  it('follows 1s, 2s, 5s, 10s, 30s, then 30s without jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, () => 0))).toEqual([1000, 2000, 5000, 10000, 30000, 30000, 30000]);
  });

  it('keeps jittered delays within [70 %, 100 %] of the schedule', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const base = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)]!;
        const delay = backoffDelay(attempt, () => r);
        return delay <= base && delay >= Math.floor(base * (1 - JITTER));
      }),
    );
  });

  it('spreads clients: different random values give different delays', () => {
    expect(new Set([0, 0.25, 0.5, 0.99].map((r) => backoffDelay(4, () => r))).size).toBe(4);
  });

  it('the engine retries on that schedule while the service refuses', () => {
    const { ws, clock, pulse } = setupPulse();
    const gaps: number[] = [];
    let last = clock.now();
    for (let i = 0; i < 7; i++) {
      ws.last.drop(1006);
      const before = ws.sockets.length;
      while (ws.sockets.length === before) clock.advance(100);
      gaps.push(clock.now() - last);
      last = clock.now();
    }
    expect(gaps).toEqual([1000, 2000, 5000, 10000, 30000, 30000, 30000]);
    expect(pulse.state).toBe('reconnecting');
  });

  it('applies the injected jitter', () => {
    const { ws, clock, random } = setupPulse();
    random.value = 0.5; // 30 % off the first second (jitter removes up to 60 %)
    ws.last.drop(1006);
    clock.advance(699);
    expect(ws.sockets).toHaveLength(1);
    clock.advance(1);
    expect(ws.sockets).toHaveLength(2);
  });

  it('resets to the first step after a stable connection, not after a short one', () => {
    const { ws, clock } = setupPulse();
    ws.last.drop(1006); // attempt 0: 1s
    clock.advance(1000);
    ws.last.accept();
    clock.advance(100); // short-lived
    ws.last.drop(1006); // attempt 1: 2s
    clock.advance(1999);
    expect(ws.sockets).toHaveLength(2);
    clock.advance(1);
    expect(ws.sockets).toHaveLength(3);
    ws.last.accept();
    clock.advance(STABLE_CONNECTION_MS);
    ws.last.drop(1006); // stable: back to 1s
    clock.advance(1000);
    expect(ws.sockets).toHaveLength(4);
  });

  it('the 24 h connection TTL (4002) after a stable connection reconnects on the first step', () => {
    const { ws, clock } = setupPulse();
    ws.last.accept();
    clock.advance(STABLE_CONNECTION_MS);
    ws.last.drop(4002, 'ttl');
    clock.advance(999);
    expect(ws.sockets).toHaveLength(1);
    clock.advance(1);
    expect(ws.sockets).toHaveLength(2);
  });

  // Issue 11: a service closing with 4002 right after every open got reconnects every 46-972 ms for ever.
  for (const code of [4002, 1006, 1011, 1001]) {
    it(`a service closing with ${code} right after every open gets the backoff schedule, not a storm`, () => {
      const { ws, clock } = setupPulse();
      const gaps: number[] = [];
      let last = clock.now();
      for (let i = 0; i < 6; i++) {
        ws.last.accept();
        ws.last.drop(code);
        const before = ws.sockets.length;
        while (ws.sockets.length === before) clock.advance(100);
        gaps.push(clock.now() - last);
        last = clock.now();
      }
      expect(gaps).toEqual([1000, 2000, 5000, 10000, 30000, 30000]);
    });
  }
});
