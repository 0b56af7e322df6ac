// An outside review found: a token fresh from authCallback is tried "whatever this device's clock says", and
// "the service's refusal of it ends in failed". That holds in Node (ws shows the HTTP 401), not in
// browsers (and pulse.js), which hide why an upgrade failed: there the refusal of a fresh but
// expired token is taken for a network failure (`network_error`, "cannot connect ... check that
// the service runs"), the next retry refreshes again, gets the same kind of token, and so on for
// ever: authCallback is called on every retry and the client never fails.
import { describe, expect, it } from 'vitest';
import type { PulseError } from '../src/index.js';
import { flush, makeToken, setupPulse } from './helpers.js';

describe.each([
  ['Node (ws)', true],
  ['browser', false],
] as const)('review-h: %s: authCallback answers an expired token', (_name, nodeStyle) => {
  it('ends in failed with token_expired, and stops calling authCallback', async () => {
    let calls = 0;
    const setup = setupPulse(
      {
        // Mints tokens that expired an hour ago (a stale cache on the backend, say).
        authCallback: async () => {
          calls++;
          return makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(setup_clock().now() / 1000) - 3600 });
        },
      },
      nodeStyle,
    );
    const { pulse, ws, clock } = setup;
    function setup_clock() {
      return clock;
    }
    const errors: string[] = [];
    pulse.on('error', (e: PulseError) => errors.push(e.code));
    ws.last.accept();
    // The service closes the connection: the token expired.
    ws.last.drop(4001, 'token expired');
    for (let t = 0; t < 300 && pulse.state !== 'failed'; t++) {
      await flush();
      const last = ws.last;
      // Every attempt with the expired token: the service refuses the upgrade (401 token_expired).
      if (last.readyState === 0 && !last.closedByClient) last.refuse(401, { error: 'token expired', code: 'token_expired' });
      clock.advance(1_000);
      await flush();
    }
    expect({ state: pulse.state, firstErrors: [...new Set(errors)], callsBounded: calls <= 3 }).toEqual({
      state: 'failed',
      firstErrors: ['token_expired'],
      callsBounded: true,
    });
  });
});
