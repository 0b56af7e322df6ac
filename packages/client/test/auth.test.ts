import { describe, expect, it, vi } from 'vitest';
import { isPulseError, type PulseError } from '../src/index.js';
import { flush, makeToken, setupPulse } from './helpers.js';

/** A fresh JWT (the client refuses tokens that are not JWTs), told apart by its user id. */
const jwt = (name: string) => makeToken({ userId: name, exp: 4_102_444_800 });
const expiredToken = (nowMs: number) => makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(nowMs / 1000) - 10 });

describe('token refresh', () => {
  it('refreshes via authCallback on close code tokenExpired (4001) and reconnects with the new token', async () => {
    const authCallback = vi.fn(async () => jwt('fresh-token'));
    const { ws, pulse, clock } = setupPulse({ authCallback });
    ws.last.accept();
    ws.last.drop(4001, 'token expired');
    expect(pulse.state).toBe('reconnecting');
    await flush();
    clock.advance(0);
    expect(authCallback).toHaveBeenCalledTimes(1);
    expect(ws.sockets).toHaveLength(2);
    expect(ws.last.query.get('token')).toBe(jwt('fresh-token'));
  });

  it('refreshes on a refused upgrade 401 token_expired (Node) and uses the endpoint the callback returns', async () => {
    const { ws, clock } = setupPulse({ authCallback: async () => ({ token: jwt('t2'), endpoint: 'ws://127.0.0.1:9' }) });
    ws.last.refuse(401, { error: 'expired', code: 'token_expired' });
    await flush();
    clock.advance(0);
    expect(ws.last.url.startsWith('ws://127.0.0.1:9')).toBe(true);
    expect(ws.last.query.get('token')).toBe(jwt('t2'));
  });

  it('a token already expired is refreshed before any socket opens with it', async () => {
    const authCallback = vi.fn(async () => jwt('fresh'));
    const clock0 = Date.UTC(2024, 0, 1);
    const { ws, clock } = setupPulse({ token: expiredToken(clock0), authCallback }, false);
    expect(ws.sockets).toHaveLength(0);
    await flush();
    clock.advance(0);
    expect(authCallback).toHaveBeenCalledTimes(1);
    expect(ws.last.query.get('token')).toBe(jwt('fresh'));
  });

  it('in browsers, a socket that never opened with a valid token just backs off', async () => {
    const authCallback = vi.fn(async () => jwt('fresh'));
    const { ws, clock, pulse } = setupPulse({ authCallback }, false);
    ws.last.drop(1006);
    await flush();
    expect(pulse.state).toBe('reconnecting');
    clock.advance(1000);
    expect(authCallback).not.toHaveBeenCalled();
    expect(ws.sockets).toHaveLength(2);
  });

  it('fetches authUrl with the injected fetch (JSON or text answers)', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ token: jwt('from-url') })));
    const { ws, clock } = setupPulse({ authUrl: 'https://app.test/pulse-token', fetch: fetch as typeof globalThis.fetch });
    ws.last.accept();
    ws.last.drop(4001);
    await flush();
    await flush();
    clock.advance(0);
    expect(fetch).toHaveBeenCalledWith('https://app.test/pulse-token', { credentials: 'include', signal: expect.any(AbortSignal) });
    expect(ws.last.query.get('token')).toBe(jwt('from-url'));
  });

  it('fails with token_expired when no refresh source is configured', async () => {
    const { ws, pulse } = setupPulse();
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.refuse(401, { error: 'expired', code: 'token_expired' });
    await flush();
    expect(pulse.state).toBe('failed');
    expect(errors.map((e) => e.code)).toEqual(['token_expired']);
  });

  it('a failing authCallback is reported and retried with backoff', async () => {
    let calls = 0;
    const { ws, pulse, clock } = setupPulse({
      authCallback: async () => {
        if (++calls === 1) throw new Error('backend down');
        return jwt('ok-token');
      },
    });
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.drop(4001);
    await flush();
    expect(errors).toHaveLength(1);
    clock.advance(1000); // retry: the old token is refused again...
    ws.last.drop(4001);
    await flush();
    clock.advance(10_000);
    expect(ws.last.query.get('token')).toBe(jwt('ok-token'));
  });
});

// Found by an outside review: an authCallback that kept answering an expired token was asked
// again and again with nothing reported, and a client whose token expired before its first
// attempt said `reconnecting` although nothing had been lost.
describe('refreshes that cannot help', () => {
  // A later review found this device's clock trusted over the service's: an answer that looked
  // expired was refused locally, so a clock ahead of the service's refreshed for ever. It is now
  // tried, and the service's refusal ends the loop.
  it('an authCallback that answers an expired token: it is tried once, and the service refusing it ends in failed (token_expired)', async () => {
    const clock0 = Date.UTC(2024, 0, 1);
    let calls = 0;
    const { pulse, ws } = setupPulse({ token: expiredToken(clock0), authCallback: () => (calls++, expiredToken(clock0)) });
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    await flush();
    expect([calls, ws.sockets.length]).toEqual([1, 1]);
    ws.last.refuse(401, { error: 'token expired', code: 'token_expired' });
    await flush();
    expect(pulse.state).toBe('failed');
    expect(errors.map((e) => e.code)).toEqual(['token_expired']);
    expect(calls).toBe(1);
  });

  it('where refusals are hidden (browsers), an expired answer that cannot connect is taken as refused for it: failed, no loop', async () => {
    const clock0 = Date.UTC(2024, 0, 1);
    let calls = 0;
    const { pulse, ws } = setupPulse({ token: expiredToken(clock0), authCallback: () => (calls++, expiredToken(clock0)) }, false);
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    await flush();
    ws.last.drop(1006);
    await flush();
    expect(pulse.state).toBe('failed');
    expect(errors.map((e) => e.code)).toEqual(['token_expired']);
    expect(calls).toBe(1);
  });

  it('a token expired before the first attempt: connecting while it is refreshed, not reconnecting', async () => {
    const clock0 = Date.UTC(2024, 0, 1);
    const { pulse } = setupPulse({ token: expiredToken(clock0), authCallback: () => new Promise<string>(() => {}) }, false);
    expect(pulse.state).toBe('connecting');
    await flush();
    expect(pulse.state).toBe('connecting');
  });
});

describe('refusals that must not retry', () => {
  // 401 invalid_token is not here: with authCallback or authUrl the token is replaced once before
  // the client fails (token-invalid-reissue.test.ts); without, it fails at once.
  for (const [status, code] of [
    [403, 'forbidden'],
    [403, 'pulse_not_enabled'],
    [403, 'kb_mismatch'],
  ] as const) {
    it(`HTTP ${status} ${code} -> failed with a typed error, no retry`, async () => {
      const authCallback = vi.fn(async () => 'x');
      const { ws, pulse, clock } = setupPulse({ authCallback });
      const errors: PulseError[] = [];
      pulse.on('error', (e) => errors.push(e));
      ws.last.refuse(status, { error: 'no', code });
      clock.advance(120_000);
      await flush();
      expect(pulse.state).toBe('failed');
      expect(ws.sockets).toHaveLength(1);
      expect(errors[0]?.code).toBe(code);
      expect(errors[0]?.statusCode).toBe(status);
      expect(authCallback).not.toHaveBeenCalled();
      expect(clock.pending).toBe(0);
    });
  }

  it('a 401 without a body is invalid_token while the token is not expired', async () => {
    const { ws, pulse } = setupPulse();
    const errors: unknown[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.refuse(401);
    expect(pulse.state).toBe('failed');
    expect(isPulseError(errors[0]) && errors[0].code).toBe('invalid_token');
  });

  it('connect() after failed tries again', () => {
    const { ws, pulse } = setupPulse();
    ws.last.refuse(403, { error: 'no', code: 'forbidden' });
    pulse.connect();
    expect(ws.sockets).toHaveLength(2);
    expect(pulse.state).toBe('connecting');
  });
});
