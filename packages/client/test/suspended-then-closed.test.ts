// An outside review found: leaving `suspended` by disconnect() or a refusal: calls made then must reject with
// not_connected (docs/connection-states.md: closed / failed -> rejected with `not_connected`),
// not with `timeout` ("try again once connected").
import { describe, expect, it } from 'vitest';
import { setupPulse, setupRealtime, settledAs } from './helpers.js';

async function suspend() {
  const s = setupRealtime({ connectionStateTtlMs: 30_000 });
  s.realtime.on('error', () => {});
  s.ws.last.accept();
  s.ws.last.drop(1006);
  for (let i = 0; i < 40 && s.realtime.connection.state !== 'suspended'; i++) {
    s.clock.advance(1_000);
    if (s.ws.last.readyState === 0) s.ws.last.drop(1006);
  }
  expect(s.realtime.connection.state).toBe('suspended');
  return s;
}

describe('leaving suspended', () => {
  it('disconnect() while suspended: a later publish rejects with not_connected (closed), not timeout', async () => {
    const { realtime } = await suspend();
    realtime.close();
    expect(realtime.connection.state).toBe('closed');
    const p = realtime.channels.get('c').publish('m', { n: 1 });
    expect(await settledAs(p)).toBe('not_connected');
  });

  it('refused for good while suspended (403 forbidden): a later publish rejects with not_connected (failed), not timeout', async () => {
    const { realtime, ws, clock } = await suspend();
    // the next attempt is refused for good
    for (let i = 0; i < 40 && ws.last.readyState !== 0; i++) clock.advance(1_000);
    ws.last.refuse(403, { error: 'Pulse is not enabled', code: 'pulse_not_enabled' });
    expect(realtime.connection.state).toBe('failed');
    const p = realtime.channels.get('c').publish('m', { n: 1 });
    expect(await settledAs(p)).toBe('not_connected');
  });

  it('Pulse face: disconnect() while reconnecting past the TTL, presence.enter rejects with not_connected', async () => {
    const { pulse, ws, clock } = setupPulse({ connectionStateTtlMs: 30_000 });
    pulse.on('error', () => {});
    ws.last.accept();
    ws.last.drop(1006);
    for (let i = 0; i < 40; i++) {
      clock.advance(1_000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    pulse.disconnect();
    expect(pulse.state).toBe('disconnected');
    expect(await settledAs(pulse.channel('c').presence.enter({ a: 1 }))).toBe('not_connected');
  });
});
