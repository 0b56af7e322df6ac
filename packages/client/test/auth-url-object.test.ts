// An outside review found: the constructor's new option check (25f6b82) refuses an authUrl given as
// a URL object: `new Pulse({ ..., authUrl: new URL('/api/pulse-token', location.origin) })` throws
// invalid_argument "authUrl must be a non-empty string (got ...)". Before, the client passed
// authUrl to fetch() as is, which takes a URL object as well as a string, and the refresh worked
// (docs/concepts.md: authUrl is "a URL answering with that JSON"). Building the URL with the URL
// constructor is the usual way to resolve a relative path against the page, and the script-tag
// build (pulse.js) has no type checking to warn. A regression: a client that refreshed its token
// no longer starts. Expected: a URL object is taken (its href), and only values fetch cannot
// take (a number, an empty string) are refused.
import { describe, expect, it, vi } from 'vitest';
import { flush, makeToken, setupPulse } from './helpers.js';

const jwt = (name: string) => makeToken({ userId: name, exp: 4_102_444_800 });

describe('authUrl given as a URL object', () => {
  it('is taken, and the token refresh fetches it', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ token: jwt('from-url') })));
    let made: ReturnType<typeof setupPulse> | undefined;
    let thrown: unknown;
    try {
      made = setupPulse({ authUrl: new URL('https://app.test/pulse-token') as unknown as string, fetch: fetch as typeof globalThis.fetch });
    } catch (error) {
      thrown = (error as { message?: string }).message ?? error;
    }
    expect(thrown).toBeUndefined();
    const { ws, clock } = made!;
    ws.last.accept();
    ws.last.drop(4001);
    await flush();
    await flush();
    clock.advance(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(String((fetch.mock.calls[0] as unknown[])[0])).toBe('https://app.test/pulse-token');
    expect(ws.last.query.get('token')).toBe(jwt('from-url'));
  });
});
