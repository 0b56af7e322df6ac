// An outside review found: the client-level listeners (pulse.on, pulse.onStateChange,
// realtime.on) skipped the listener checks: a handler that is not a function threw a TypeError at
// every error or state change, and pulse.on('eror', cb) (a typo) never fired.
import { describe, expect, it } from 'vitest';
import { isPulseError } from '../src/index.js';
import { setupPulse, setupRealtime } from './helpers.js';

const code = (fn: () => unknown): unknown => {
  try {
    fn();
    return 'no throw';
  } catch (e) {
    return isPulseError(e) ? e.code : `non-PulseError: ${String(e)}`;
  }
};

describe('client-level listeners get the same checks as channel listeners', () => {
  it('Pulse: on("error", notAFunction) and onStateChange(notAFunction) throw invalid_argument at the call', () => {
    const { pulse } = setupPulse();
    expect({
      onError: code(() => pulse.on('error', 42 as never)),
      onStateChange: code(() => pulse.onStateChange(undefined as never)),
    }).toEqual({ onError: 'invalid_argument', onStateChange: 'invalid_argument' });
  });
  it('Pulse: on("eror", cb) (an event the client never sends) throws invalid_argument', () => {
    const { pulse } = setupPulse();
    expect(code(() => pulse.on('eror' as never, () => {}))).toBe('invalid_argument');
  });
  it('Realtime: on("error", notAFunction) throws invalid_argument', () => {
    const { realtime } = setupRealtime();
    expect(code(() => realtime.on('error', 'nope' as never))).toBe('invalid_argument');
  });
  it('a non-function error listener is reported as a listener error at each failure (what the check should prevent)', () => {
    const reported: unknown[] = [];
    const { pulse, ws } = setupPulse({ onListenerError: (e) => reported.push(e) });
    try { pulse.on('error', 42 as never); } catch { /* the fixed behaviour */ }
    ws.last.accept();
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'x' });
    expect(reported.map(String)).toEqual([]);
  });
});
