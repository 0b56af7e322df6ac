// An outside review found: connect() after the client failed on a refused token is documented to "start with a new token".
// _tokenRefused is cleared when the refresh *starts*: a first refresh that fails (the token route
// is down for a moment) is followed by a retry that opens a socket with the token the service
// refused for good.
import { describe, expect, it } from 'vitest';
import { flush, makeToken, setupPulse } from './helpers.js';

let n = 0;
const fresh = () => makeToken({ userId: `fresh-${++n}`, endpoint: 'wss://pulse.test', exp: 4_102_444_800 });

describe('connect() after failed on a refused token', () => {
  it('the refused token is never sent again, even when the first refresh after connect() fails', async () => {
    let calls = 0;
    const authCallback = async () => {
      calls++;
      if (calls === 2) throw new Error('token route down for a moment');
      return fresh();
    };
    const { ws, pulse, clock } = setupPulse({ authCallback });
    pulse.on('error', () => {});
    ws.last.refuse(401, { error: 'bad signature', code: 'invalid_token' });
    await flush();
    clock.advance(0);
    await flush();
    expect(ws.sockets.length).toBe(2);
    const refusedUrl = ws.last.url;
    ws.last.refuse(401, { error: 'bad signature', code: 'invalid_token' });
    await flush();
    expect(pulse.state).toBe('failed');

    pulse.connect();
    await flush();
    // the refresh failed: a retry with backoff
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      await flush();
    }
    const urls = ws.sockets.slice(2).map((s) => s.url);
    expect({ resentRefused: urls.includes(refusedUrl), calls }).toEqual({ resentRefused: false, calls: 3 });
  });
});
