import { REGION_ENDPOINTS } from '@openkbs-pulse/protocol';
import { describe, expect, it, vi } from 'vitest';
import { isPulseError, TRANSITIONS, type ConnectionState } from '../src/index.js';
import { makeToken, setupPulse } from './helpers.js';

describe('connection lifecycle', () => {
  it('connects to the endpoint from the token claims with kbId and token in the URL', () => {
    const { ws, pulse, options } = setupPulse();
    expect(pulse.state).toBe('connecting');
    const url = new URL(ws.last.url);
    expect(url.origin + url.pathname.replace(/\/$/, '')).toBe('wss://pulse.test');
    expect(ws.last.query.get('kbId')).toBe('kb');
    expect(ws.last.query.get('token')).toBe(options.token);
    expect(ws.last.query.has('channel')).toBe(false);
  });

  it('prefers the endpoint option, then the claim, then the region, then us-east-1', () => {
    expect(setupPulse({ endpoint: 'ws://127.0.0.1:1234' }).ws.last.url).toMatch(/^ws:\/\/127\.0\.0\.1:1234\/?\?/);
    expect(setupPulse({ token: makeToken(), region: 'eu-central-1' }).ws.last.url.startsWith(REGION_ENDPOINTS['eu-central-1'])).toBe(true);
    expect(setupPulse({ token: makeToken() }).ws.last.url.startsWith(REGION_ENDPOINTS['us-east-1'])).toBe(true);
  });

  it('refuses a token that is not a JWT, and says so when it is the whole getToken() answer', () => {
    expect(() => setupPulse({ token: 'not-a-jwt' })).toThrow(/not a JWT/);
    const whole = { token: makeToken(), endpoint: 'wss://pulse.test' };
    expect(() => setupPulse({ token: whole as never })).toThrow(/whole \{ token, endpoint \} object/);
    let error: unknown;
    try {
      setupPulse({ token: makeToken({ kbId: 'other-kb' }) });
    } catch (e) {
      error = e;
    }
    expect(isPulseError(error) && error.code).toBe('kb_mismatch');
    expect((error as Error).message).toContain('"other-kb"');
  });

  it('sends the channel option in the URL and treats it as subscribed', () => {
    const { ws, pulse } = setupPulse({ channel: 'room' });
    expect(ws.last.query.get('channel')).toBe('room');
    ws.last.accept();
    pulse.channel().subscribe('x', () => {});
    expect(ws.last.actions).toEqual([]);
  });

  it('goes connecting -> connected -> disconnected and reports each change once', () => {
    const { ws, pulse } = setupPulse({ autoConnect: false });
    const states: ConnectionState[] = [];
    pulse.onStateChange((s) => states.push(s));
    expect(pulse.state).toBe('disconnected');
    expect(ws.sockets).toHaveLength(0);
    pulse.connect();
    pulse.connect(); // no second socket
    expect(ws.sockets).toHaveLength(1);
    ws.last.accept();
    expect(pulse.isConnected).toBe(true);
    pulse.disconnect();
    expect(ws.last.closedByClient).toBe(true);
    expect(states).toEqual(['connecting', 'connected', 'disconnected']);
    expect(pulse.isConnected).toBe(false);
  });

  it('reconnects after a lost connection, and connect() after disconnect() opens a new socket', () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    ws.last.drop(1006);
    expect(pulse.state).toBe('reconnecting');
    clock.advance(1000);
    expect(ws.sockets).toHaveLength(2);
    ws.last.accept();
    expect(pulse.state).toBe('connected');
    pulse.disconnect();
    pulse.connect();
    expect(ws.sockets).toHaveLength(3);
  });

  it('onStateChange returns an unsubscribe function', () => {
    const { ws, pulse } = setupPulse();
    const seen = vi.fn();
    const off = pulse.onStateChange(seen);
    off();
    ws.last.accept();
    expect(seen).not.toHaveBeenCalled();
  });

  it('the state table: terminal states are left only by connect(), failures by backoff', () => {
    for (const terminal of ['closed', 'failed', 'initialized'] as const) {
      expect(TRANSITIONS[terminal].connect?.split(' ')[0]).toBe('connecting');
      expect(TRANSITIONS[terminal].lost).toBeUndefined();
    }
    expect(TRANSITIONS.connected.lost).toBe('disconnected retry');
    expect(TRANSITIONS.disconnected.ttl).toBe('suspended suspend');
  });

  it('channel() returns the same object for the same name while it is in use, and rejects invalid names', () => {
    const { pulse } = setupPulse();
    const a = pulse.channel('a');
    const stop = a.subscribe('m', () => {});
    expect(pulse.channel('a')).toBe(a);
    const d = pulse.channel();
    d.subscribe(() => {});
    expect(pulse.channel('default')).toBe(d);
    stop();
    // Not in use any more: the client keeps nothing of it (a channel per document does not leak).
    expect(pulse.channel('a')).not.toBe(a);
    let error: unknown;
    try {
      pulse.channel('');
    } catch (e) {
      error = e;
    }
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
  });

  it('logs state changes and frames with console.debug only when debug is on', () => {
    const spy = vi.spyOn(console, 'debug').mockImplementation(() => {});
    try {
      const quiet = setupPulse();
      quiet.ws.last.accept();
      quiet.ws.last.receive({ type: 'pong', timestamp: 1 });
      expect(spy).not.toHaveBeenCalled();
      const loud = setupPulse({ debug: true });
      loud.ws.last.accept();
      loud.ws.last.receive({ type: 'pong', timestamp: 1 });
      const lines = spy.mock.calls.map((call) => call.map(String).join(' '));
      expect(lines.some((l) => l.includes('connected'))).toBe(true);
      expect(lines.some((l) => l.includes('"pong"'))).toBe(true);
      expect(lines.some((l) => l.includes(loud.options.token))).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });

  it('surfaces service error frames as typed errors on the error event', () => {
    const { ws, pulse } = setupPulse();
    const errors: unknown[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.accept();
    ws.last.receive({ type: 'error', error: 'nope', code: 'rate_limited' });
    ws.last.receive({ type: 'error', error: 'legacy without code' });
    expect(errors.map((e) => isPulseError(e) && e.code)).toEqual(['rate_limited', 'server_error']);
  });

  it('drops malformed frames and stays connected (malformed-frames.test.ts checks the errors)', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const cb = vi.fn();
    pulse.channel('c').subscribe(cb);
    for (const bad of ['not json', 'null', '5', '{"type":"message","channel":"c"}', '{"type":"presence","channel":"c","action":"sync"}']) {
      ws.last.receive(bad);
    }
    expect(cb).not.toHaveBeenCalled();
    expect(pulse.state).toBe('connected');
  });
});
