// An outside review found: a service that refuses every refreshed token as expired (401
// token_expired on the upgrade, or close 4001 right after opening: clocks apart by more than the
// token's lifetime) made the client refresh and reconnect for ever, with no error event. USERS.md:
// "one reissue on token errors, then fail". A token the service refuses is replaced once; the
// replacement refused too (before a connection stayed up), the client fails with why.
import { describe, expect, it, vi } from 'vitest';
import type { PulseError } from '../src/index.js';
import { flush, makeToken, setupPulse } from './helpers.js';

let n = 0;
const fresh = () => makeToken({ userId: `fresh-${++n}`, endpoint: 'wss://pulse.test', exp: 4_102_444_800 });

/** Two minutes in which the service refuses every socket's token as expired. */
async function drive(mode: 'refuse' | 'close4001') {
  const authCallback = vi.fn(async () => fresh());
  const { ws, pulse, clock } = setupPulse({ authCallback });
  const errors: PulseError[] = [];
  pulse.on('error', (e) => errors.push(e));
  let handled = 0;
  for (let t = 0; t < 120; t++) {
    await flush();
    while (handled < ws.sockets.length) {
      const socket = ws.sockets[handled++]!;
      if (socket.readyState !== 0) continue;
      if (mode === 'refuse') socket.refuse(401, { error: 'token expired', code: 'token_expired' });
      else {
        socket.accept();
        socket.drop(4001, 'token expired');
      }
      await flush();
    }
    clock.advance(1_000);
  }
  return { errors: errors.map((e) => e.code), calls: authCallback.mock.calls.length, sockets: ws.sockets.length, state: pulse.state };
}

describe('a refreshed token refused as expired again', () => {
  it('401 token_expired on every upgrade: one refresh, then failed with token_expired (no loop)', async () => {
    expect(await drive('refuse')).toEqual({ errors: ['token_expired'], calls: 1, sockets: 2, state: 'failed' });
  });

  it('close 4001 right after every open: one refresh, then failed with token_expired (no loop)', async () => {
    expect(await drive('close4001')).toEqual({ errors: ['token_expired'], calls: 1, sockets: 2, state: 'failed' });
  });

  it('tokens that end normally, each after a connection that stayed up, are refreshed each time, silently', async () => {
    const authCallback = vi.fn(async () => fresh());
    const { ws, pulse, clock } = setupPulse({ authCallback });
    const errors: string[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    for (let hour = 0; hour < 3; hour++) {
      ws.last.accept();
      clock.advance(15_000);
      ws.autoPong = true;
      ws.last.drop(4001, 'token expired');
      await flush();
      clock.advance(0);
      await flush();
    }
    ws.last.accept();
    expect({ errors, calls: authCallback.mock.calls.length, state: pulse.state }).toEqual({ errors: [], calls: 3, state: 'connected' });
  });
});
