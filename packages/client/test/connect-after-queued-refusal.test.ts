// An outside review found: a connect() from a `connecting` listener, made while the attempt was
// refused at once (an expired token and no authCallback/authUrl: the refusal is queued before any
// listener of the `connecting` change runs), restarted the refused client, once per call: a
// listener calling connect() on every `connecting` spun synchronously. connect() is decided by
// the state its caller saw; only a close() queued before it (restart-from-listener) makes it wait
// its turn.
import { describe, expect, it } from 'vitest';
import { flush, makeToken, setupRealtime } from './helpers.js';

describe('connect() from a `connecting` listener while the attempt is refused at once', () => {
  it('does not restart the refused client (one refusal, not one per connect() call)', async () => {
    // Expired a minute before the fake clock's start (2024-01-01), no way to refresh: open()
    // refuses it (token_expired) from a timer due at once (connect-from-failed-listener).
    // autoConnect: false, so the constructor takes it.
    const expired = makeToken({ endpoint: 'wss://pulse.test', exp: Date.UTC(2024, 0, 1) / 1000 - 60 });
    const { realtime: client, clock } = setupRealtime({ autoConnect: false, token: expired });
    let calls = 0;
    let failed = 0;
    client.connection.on('connecting', () => {
      // An app's "retry now" while connecting; bounded so the test ends when it restarts.
      if (calls++ < 20) client.connect();
    });
    client.connection.on('failed', () => failed++);
    client.connect();
    clock.advance(0);
    await flush();
    expect(client.connection.state).toBe('failed');
    // One refusal: the connect() while connecting was a retry, ignored once failed (21 when each
    // connect() restarted after the refusal).
    expect(failed).toBe(1);
  });
});
