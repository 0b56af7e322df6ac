// An outside review found: a token the service refuses as invalid (401 invalid_token: the backend
// rotated its signing key) sent a client that has an authCallback straight to `failed`, and
// connect() after that sent the refused token again. docs/connection-states.md: `failed` is a bad
// token "with no way to refresh it". Now the token is replaced once (the refusal is an error
// event); the replacement refused too, the client fails, and connect() starts with a new token.
import { describe, expect, it, vi } from 'vitest';
import { flush, makeToken, setupPulse } from './helpers.js';

let n = 0;
const good = () => makeToken({ userId: `reissued-${++n}`, endpoint: 'wss://pulse.test', exp: 4_102_444_800 });
const invalid = { error: 'invalid signature', code: 'invalid_token' };

async function settle(clock: { advance(ms: number): void }): Promise<void> {
  await flush();
  clock.advance(0);
  await flush();
}

describe('a token refused as invalid, with authCallback', () => {
  it('a reconnect refused 401 invalid_token: authCallback is asked once, the refusal is an error event, and the new token is used', async () => {
    const authCallback = vi.fn(async () => good());
    const { ws, pulse, clock } = setupPulse({ authCallback });
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.last.accept();
    ws.last.drop(1006); // the service restarts, with a rotated signing key
    clock.advance(1_000);
    const refused = ws.last.query.get('token');
    ws.last.refuse(401, invalid);
    await settle(clock);
    expect({ calls: authCallback.mock.calls.length, state: pulse.state, errors }).toEqual({ calls: 1, state: 'reconnecting', errors: ['invalid_token'] });
    // The next attempt, on the reconnect backoff, goes with the new token.
    const sockets = ws.sockets.length;
    clock.advance(2_000);
    expect(ws.sockets.length).toBe(sockets + 1);
    expect(ws.last.query.get('token')).not.toBe(refused);
    ws.last.accept();
    expect(pulse.state).toBe('connected');
  });

  it('the first token refused, then its replacement too: failed; connect() asks authCallback instead of reusing the refused token', async () => {
    const authCallback = vi.fn(async () => good());
    const { ws, pulse, clock } = setupPulse({ authCallback });
    pulse.on('error', () => {});
    ws.last.refuse(401, invalid);
    await settle(clock);
    expect(authCallback).toHaveBeenCalledTimes(1);
    ws.last.refuse(401, invalid);
    await settle(clock);
    expect(pulse.state).toBe('failed');
    const refused = ws.last.query.get('token');
    const sockets = ws.sockets.length;
    pulse.connect(); // the app's "retry" button
    await settle(clock);
    expect(authCallback).toHaveBeenCalledTimes(2);
    expect(ws.sockets.length).toBe(sockets + 1);
    expect(ws.last.query.get('token')).not.toBe(refused);
  });

  it('without authCallback or authUrl: failed at once, as before (nothing could replace it)', async () => {
    const { ws, pulse, clock } = setupPulse();
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.last.refuse(401, invalid);
    await settle(clock);
    expect({ state: pulse.state, errors }).toEqual({ state: 'failed', errors: ['invalid_token'] });
  });
});
