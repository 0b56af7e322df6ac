// An outside review found: an auth answer the client's own token checks refused (not a JWT, or a
// token of another kbId) stuck, and every later connect() failed on it without asking the auth
// source again.
// A realistic trigger: authUrl answers an expired session's login page as HTML with status 200.
// The client stored it as its token, went `failed` with invalid_token (or kb_mismatch), and
// open() checked the same stored token again on each connect(). For a token the *service*
// refused, connect() fetches a new one first (docs/connection-states.md, `expired` row); a token
// refused by the client's own checks had no such way out. Only a new client recovered.
import { describe, expect, it, vi } from 'vitest';
import { flush, makeToken, setupPulse } from './helpers.js';

const good = () => makeToken({ endpoint: 'wss://pulse.test', exp: 4_102_444_800 });

async function run(clock: { advance(ms: number): void }) {
  for (let i = 0; i < 4; i++) {
    await flush();
    clock.advance(0);
  }
  await flush();
}

describe('an auth answer the client refuses as a token', () => {
  it('authUrl answers a 200 HTML page once (session expired), then a token: connect() after `failed` fetches a new token and connects', async () => {
    let body = '<html><body>Please sign in</body></html>';
    const fetch = vi.fn(async () => new Response(body, { status: 200 }));
    const { ws, pulse, clock } = setupPulse({ authUrl: 'https://app.test/api/pulse-token', fetch: fetch as never });
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.last.accept();
    clock.advance(15_000);
    ws.last.drop(4001, 'token expired'); // the normal end of a token: refresh
    await run(clock);
    expect(pulse.state).toBe('failed');
    expect(errors).toContain('invalid_token');

    // The user signs in again; the token route works now. The app reconnects.
    body = JSON.stringify({ token: good() });
    pulse.connect();
    await run(clock);
    // Actual: fetch is not called again; the stored HTML "token" fails again at once.
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(ws.sockets.length).toBe(2);
    ws.last.accept();
    expect(pulse.state).toBe('connected');
  });

  it('authCallback answers a token of another kbId once, then a right one: connect() after `failed` asks authCallback again', async () => {
    let answer = makeToken({ kbId: 'other-kb', endpoint: 'wss://pulse.test', exp: 4_102_444_800 });
    const authCallback = vi.fn(async () => answer);
    const { ws, pulse, clock } = setupPulse({ authCallback });
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.last.accept();
    clock.advance(15_000);
    ws.last.drop(4001, 'token expired');
    await run(clock);
    expect(pulse.state).toBe('failed');
    expect(errors).toContain('kb_mismatch');
    answer = good();
    pulse.connect();
    await run(clock);
    expect(authCallback).toHaveBeenCalledTimes(2);
    expect(ws.sockets.length).toBe(2);
  });

  it('an auth source that keeps answering a bad token: each connect() asks it once and fails again (no loop)', async () => {
    const authCallback = vi.fn(async () => 'not a jwt');
    const { ws, pulse, clock } = setupPulse({ authCallback });
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.last.accept();
    clock.advance(15_000);
    ws.last.drop(4001, 'token expired');
    await run(clock);
    expect(pulse.state).toBe('failed');
    pulse.connect();
    await run(clock);
    clock.advance(60_000);
    await run(clock);
    expect(pulse.state).toBe('failed');
    expect(authCallback).toHaveBeenCalledTimes(2);
    expect(ws.sockets.length).toBe(1);
    expect(errors.filter((code) => code === 'invalid_token')).toHaveLength(2);
  });
});
