// An outside review found: an explicit apiUrl that is not a string (a URL object, null) is silently replaced by
// OPENKBS_API_URL or the hosted default, so kbId and apiKey go to another host. config.ts
// resolveConfig reads apiUrl through nonEmpty(), which maps every non-string to "not set"; 2bd714f
// meant only an empty string to mean "not set", while explicitCredential refuses a non-string kbId.
import { describe, expect, it } from 'vitest';
import { createPulseClient } from '../src/client.js';

const LOCAL = 'http://127.0.0.1:9/';

function recordingFetch() {
  const urls: string[] = [];
  const fetch = async (url: string | URL | Request) => {
    urls.push(String(url));
    return new Response(JSON.stringify({ delivered: 0, timestamp: 1_704_067_200_000 }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { urls, fetch };
}

describe('apiUrl that is not a string', () => {
  it('a URL object is used or refused, never replaced by the hosted API (which would receive the apiKey)', async () => {
    const { urls, fetch } = recordingFetch();
    const client = createPulseClient({ transport: 'fetch', fetch: fetch as never, retries: 0, kbId: 'kb', apiKey: 'sk-local', apiUrl: new URL(LOCAL) as never, env: () => ({}) });
    const outcome = await client.publish('orders', 'created', { id: 1 }).then(
      () => 'sent',
      (e: { code?: string }) => e.code,
    );
    expect(outcome === 'invalid_argument' || urls.every((url) => url === LOCAL)).toBe(true);
    expect(urls).not.toContain('https://kb.openkbs.com');
  });

  it('apiUrl: null is refused like kbId: null, not replaced by OPENKBS_API_URL', async () => {
    const { urls, fetch } = recordingFetch();
    const client = createPulseClient({ transport: 'fetch', fetch: fetch as never, retries: 0, kbId: 'kb', apiKey: 'sk-local', apiUrl: null as never, env: () => ({ OPENKBS_API_URL: 'http://other.example/' }) });
    await expect(client.publish('orders', 'created', { id: 1 })).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(urls).toEqual([]);
  });
});
