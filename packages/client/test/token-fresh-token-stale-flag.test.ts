// An outside review found: `_fresh` (the token came from authCallback and its first attempt is not over) is
// cleared only by a socket's `down`. A connection that opened and was then closed by
// disconnect() never reports one, so the flag survives. A connect() hours later tries the old,
// long-expired token without looking at its expiry; a browser hides the service's 401, so this
// ends as a `network_error` ("cannot connect ... check that the service runs") and a backoff
// delay, where any other expired token is refreshed before connecting.
import { describe, expect, it } from 'vitest';
import type { PulseError } from '../src/index.js';
import { flush, makeToken, setupPulse } from './helpers.js';

describe('connect() again hours after disconnect(), browser', () => {
  it('refreshes the expired token first: no attempt with it, no network_error', async () => {
    let now = () => 0;
    const { pulse, ws, clock } = setupPulse(
      {
        token: makeToken({ endpoint: 'wss://pulse.test', exp: 1 }),
        authCallback: async () => makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(now() / 1000) + 3600 }),
      },
      false,
    );
    now = () => clock.now();
    const errors: string[] = [];
    pulse.on('error', (e: PulseError) => errors.push(`${e.code}: ${e.message}`));
    await flush();
    await flush();
    ws.last.accept();
    expect(pulse.state).toBe('connected');
    pulse.disconnect();
    clock.advance(2_000);
    await flush();
    // Two hours later (the 1 h token expired), the app connects again.
    clock.advance(2 * 3600_000);
    const before = ws.sockets.length;
    pulse.connect();
    await flush();
    await flush();
    const attempt = ws.sockets[before];
    const triedExpired = !!attempt && Number(JSON.parse(Buffer.from(attempt.query.get('token')!.split('.')[1]!, 'base64url').toString()).exp) * 1000 < clock.now();
    // The service refuses an expired token's upgrade; the browser shows only a failed socket.
    if (attempt && attempt.readyState === 0 && triedExpired) attempt.refuse(401, { error: 'token expired', code: 'token_expired' });
    await flush();
    expect({ triedExpired, errors }).toEqual({ triedExpired: false, errors: [] });
  });
});
