// An outside review found: 2ec84b4 made pulse-local read --port/--max-* as decimal digits only, because Number()
// reads '' as 0 and accepts 0x/exponent spellings. The server CLI's `token --expires-in`
// (cli-run.ts, `Number(raw)` then only a NaN check) keeps that rule: --expires-in 0x3c mints a
// 60-second token and --expires-in 1e3 a 1000-second one, exit 0. One CLI rule, two implementations.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpResponse } from 'msw';
import { TOKEN_RESPONSE, onApi, runCliCaptured, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('openkbs-pulse token --expires-in', () => {
  it.each([['0x3c'], ['1e3'], [' 60 ']])('--expires-in=%j is a usage error (exit 2), nothing sent', async (value) => {
    const received = onApi(() => HttpResponse.json(TOKEN_RESPONSE));
    const result = await runCliCaptured(['token', 'alice', `--expires-in=${value}`]);
    expect({ code: result.code, sent: received.map((b) => b.expiresIn) }).toEqual({ code: 2, sent: [] });
  });
});
