// An outside review found: an explicitly passed empty or blank kbId or apiKey was treated as
// absent (config.ts `nonEmpty`) and silently replaced by OPENKBS_KB_ID / OPENKBS_API_KEY. In a
// multi-tenant backend calling getToken(tenant.kbId, tenant.apiKey, userId), a tenant row with an
// empty kbId minted a token for the environment's (another) knowledge base, and a blank apiKey
// sent the environment's API key along with the tenant's kbId. The CLI's `--kb-id ""` (e.g.
// --kb-id "$KB" with KB unset) silently used the environment's kb. Only `undefined` falls back now;
// anything else explicit that is not a non-blank string is `invalid_argument`, and nothing is sent.
// (An empty apiUrl still means "not set": it names no kb, and `apiUrl: process.env.OPENKBS_API_URL`
// with an empty variable is common.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpResponse } from 'msw';
import { makeClient, onApi, runCliCaptured, server, TOKEN_RESPONSE, tokenResponseFor, CLI_ENV } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ENV = { OPENKBS_KB_ID: 'kb-of-the-env', OPENKBS_API_KEY: 'key-of-the-env-0123456789' };
const settle = (promise: Promise<unknown>) => promise.then((value) => ({ resolvedWith: value }), (e: unknown) => e);

describe('explicit empty or blank credentials are refused, never replaced by the environment', () => {
  it("getToken('', '', userId): refused before sending (not a token for the environment's kb)", async () => {
    const received = onApi((body) => HttpResponse.json(tokenResponseFor(body)));
    const { client } = makeClient({ kbId: undefined, apiKey: undefined, env: () => ENV });
    const result = await settle(client.getToken('', '', 'alice'));
    expect(received).toEqual([]);
    expect(result).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('kbId is empty') });
  });

  it("getToken('kb-tenant', '   ', userId): the environment's API key is not sent with another kbId", async () => {
    const received = onApi((body) => HttpResponse.json(tokenResponseFor(body)));
    const { client } = makeClient({ kbId: undefined, apiKey: undefined, env: () => ENV });
    const result = await settle(client.getToken('kb-tenant', '   ', 'alice'));
    expect(received).toEqual([]);
    expect(result).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('apiKey is blank') });
  });

  it('getToken(null, null, userId) (a tenant row without credentials) is refused too', async () => {
    const received = onApi((body) => HttpResponse.json(tokenResponseFor(body)));
    const { client } = makeClient({ kbId: undefined, apiKey: undefined, env: () => ENV });
    const getToken = client.getToken as (...args: unknown[]) => Promise<unknown>;
    expect(await settle(getToken(null, null, 'alice'))).toMatchObject({ code: 'invalid_argument' });
    expect(received).toEqual([]);
  });

  it('an empty kbId in per-call or client options is refused, not replaced', async () => {
    const received = onApi(() => HttpResponse.json({ enabled: true, region: 'us-east-1', endpoint: 'wss://pulse.vpc1.us', connections: 0, channels: 0 }));
    expect(await settle(makeClient({ env: () => ENV }).client.status({ kbId: '' }))).toMatchObject({ code: 'invalid_argument' });
    expect(await settle(makeClient({ kbId: ' ', env: () => ENV }).client.status())).toMatchObject({ code: 'invalid_argument' });
    expect(received).toEqual([]);
  });

  it('an empty apiUrl still means "not set" (as an empty OPENKBS_API_URL does): it is no credential', async () => {
    const received = onApi(() => HttpResponse.json(TOKEN_RESPONSE));
    const { client } = makeClient({ env: () => ({ ...ENV, OPENKBS_API_URL: 'http://pulse.test/' }), apiUrl: '' });
    await client.getToken('alice', { apiUrl: ' ' });
    expect(received).toHaveLength(1);
  });

  it('undefined credentials still fall back to the environment', async () => {
    const received = onApi((body) => HttpResponse.json(tokenResponseFor(body)));
    const { client } = makeClient({ kbId: undefined, apiKey: undefined, env: () => ENV });
    await client.getToken(undefined, undefined, 'alice');
    expect(received).toMatchObject([{ kbId: ENV.OPENKBS_KB_ID, apiKey: ENV.OPENKBS_API_KEY }]);
  });

  it('CLI: --kb-id "" is a usage error, not the environment\'s kb', async () => {
    const received = onApi(() => HttpResponse.json({ enabled: true, region: 'us-east-1', endpoint: 'wss://pulse.vpc1.us', connections: 0, channels: 0 }));
    const result = await runCliCaptured(['status', '--kb-id', '']);
    expect(received.map((body) => body.kbId)).not.toContain(CLI_ENV.OPENKBS_KB_ID);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('kbId is empty');
  });
});
