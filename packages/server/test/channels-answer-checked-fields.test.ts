// An outside review found: 65a78d1 says "status and channels return the checked fields", but pulseChannels
// (packages/protocol/src/api.ts VALIDATORS.pulseChannels) returns body.channels itself: each entry
// keeps every unchecked field of the answer (only the top level is rebuilt).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpResponse } from 'msw';
import { makeClient, onApi, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('channels()', () => {
  it('returns only { channel, subscribers, presence } in each entry', async () => {
    onApi(() => HttpResponse.json({ channels: [{ channel: 'chat', subscribers: 1, presence: 0, owner: { apiKey: 'leak' } }] }));
    expect(await makeClient({ retries: 0 }).client.channels()).toEqual({ channels: [{ channel: 'chat', subscribers: 1, presence: 0 }] });
  });
});
