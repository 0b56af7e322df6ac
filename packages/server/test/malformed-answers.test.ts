// An outside review found: malformed successful answers were accepted: presence() resolved with a
// count below the members listed, a negative or a fractional count, and channels() with a channel
// name holding an ANSI escape and counts of -1 and 0.5. The protocol's rule for the same data on
// the WebSocket (presence sync frames, channel names) now checks the HTTP answers too.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerWith, makeClient, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const member = (userId: string) => ({ userId, connectionId: `c-${userId}`, connectedAt: 1 });
const settle = (promise: Promise<unknown>) => promise.then((value) => ({ resolvedWith: value }), (e: unknown) => e);

describe('malformed answers are invalid_response', () => {
  it.each([
    ['count below the members listed', { count: 0, members: [member('a'), member('b')] }],
    ['negative count', { count: -5, members: [] }],
    ['fractional count', { count: 2.5, members: [member('a')] }],
  ])('presence answer with %s', async (_what, body) => {
    answerWith(body);
    const { client } = makeClient({ retries: 0 });
    expect(await settle(client.presence('chat'))).toMatchObject({ code: 'invalid_response' });
  });

  it.each([
    ['a channel name holding control characters (an ANSI escape)', { channel: 'chat\u001b[2J\u001b[31mPWNED', subscribers: 1, presence: 0 }],
    ['a negative subscriber count', { channel: 'chat', subscribers: -1, presence: 0 }],
    ['a fractional presence count', { channel: 'chat', subscribers: 1, presence: 0.5 }],
  ])('channels answer with %s', async (_what, info) => {
    answerWith({ channels: [info] });
    const { client } = makeClient({ retries: 0 });
    expect(await settle(client.channels())).toMatchObject({ code: 'invalid_response' });
  });

  it('status and publish answers with counts that are not counts', async () => {
    answerWith({ enabled: true, region: 'us-east-1', endpoint: 'wss://pulse.vpc1.us', connections: 1.5, channels: 0 });
    expect(await settle(makeClient({ retries: 0 }).client.status())).toMatchObject({ code: 'invalid_response' });
    answerWith({ delivered: -1, timestamp: 1 });
    expect(await settle(makeClient({ retries: 0 }).client.publish('c', 'e'))).toMatchObject({ code: 'invalid_response' });
  });

  it('valid answers still pass: a truncated member list, zero counts', async () => {
    answerWith({ count: 150, members: [member('a')] });
    expect(await makeClient({ retries: 0 }).client.presence('chat')).toMatchObject({ count: 150 });
    answerWith({ channels: [{ channel: 'chat', subscribers: 0, presence: 0 }] });
    expect(await makeClient({ retries: 0 }).client.channels()).toMatchObject({ channels: [{ channel: 'chat' }] });
  });
});
