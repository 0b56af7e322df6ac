// An outside review found: the server SDK's HTTP answers were only JSON.parse'd and shape-checked
// (client.ts attempt() -> parseApiResponse), never held to the rule every frame follows (no own
// `__proto__` key, at most 64 levels of nesting; parseServerFrame). So presence(), status() and
// channels() resolved with values the client refuses: member data with an own "__proto__" key
// (Object.assign({}, data) then had a polluted prototype), a status object carrying one at the top
// level (status returned the parsed body itself), and member data nested 200,000 levels deep, which
// made the resolved value impossible to serialize (res.json(presence) threw RangeError in the
// caller's route). A presence answer listing 150 members was accepted too, although `members` lists
// at most MAX_PRESENCE_MEMBERS (100). parseApiResponse now applies the frame rule, and the presence
// limit is part of presenceCountProblem, which sync frames share.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkServerFrame, MAX_PRESENCE_MEMBERS, parseServerFrame } from '@openkbs-pulse/protocol';
import { makeClient, onApi, answerWith, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const settle = (promise: Promise<unknown>) => promise.then((value) => ({ resolvedWith: value }), (e: unknown) => e);
const raw = (text: string) => onApi(() => new Response(text, { headers: { 'content-type': 'application/json' } }));
const PROTO_MEMBERS = '[{"userId":"a","connectionId":"c1","connectedAt":1,"data":{"__proto__":{"isAdmin":true}}}]';

describe('HTTP answers follow the frame rules (__proto__, nesting)', () => {
  it('the client refuses these member data in a sync frame (the rule the SDK should share)', () => {
    const frame = `{"type":"presence","action":"sync","channel":"chat","count":1,"members":${PROTO_MEMBERS}}`;
    expect(parseServerFrame(frame)).toMatchObject({ ok: false, code: 'invalid_message' });
  });

  it('presence(): member data with an own __proto__ key is invalid_response', async () => {
    raw(`{"count":1,"members":${PROTO_MEMBERS}}`);
    const result = await settle(makeClient({ retries: 0 }).client.presence('chat'));
    expect(result).toMatchObject({ code: 'invalid_response' });
  });

  it('status(): an own __proto__ key at the top level is invalid_response', async () => {
    raw('{"enabled":true,"region":"us-east-1","endpoint":"wss://pulse.vpc1.us","connections":1,"channels":1,"__proto__":{"isAdmin":true}}');
    const result = await settle(makeClient({ retries: 0 }).client.status());
    expect(result).toMatchObject({ code: 'invalid_response' });
  });

  it('presence(): member data nested 200,000 levels is invalid_response, not a value that cannot be serialized', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    raw(`{"count":1,"members":[{"userId":"a","connectionId":"c1","connectedAt":1,"data":${deep}}]}`);
    const result = await settle(makeClient({ retries: 0 }).client.presence('chat'));
    expect(result).toMatchObject({ code: 'invalid_response' });
  });

  it('presence(): an answer listing more than MAX_PRESENCE_MEMBERS (100) members is invalid_response', async () => {
    answerWith({ count: 150, members: Array.from({ length: 150 }, (_, i) => ({ userId: `u${i}`, connectionId: `c${i}`, connectedAt: 1 })) });
    expect(await settle(makeClient({ retries: 0 }).client.presence('chat'))).toMatchObject({ code: 'invalid_response' });
  });

  it('a sync frame listing more than MAX_PRESENCE_MEMBERS members is refused by both frame parsers (one rule)', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => ({ userId: `u${i}`, connectionId: `c${i}` }));
    const frame = (n: number) => JSON.stringify({ type: 'presence', action: 'sync', channel: 'chat', count: 500, members: members(n) });
    expect(parseServerFrame(frame(MAX_PRESENCE_MEMBERS))).toMatchObject({ ok: true });
    expect(checkServerFrame(frame(MAX_PRESENCE_MEMBERS))).toBeDefined();
    expect(parseServerFrame(frame(MAX_PRESENCE_MEMBERS + 1))).toMatchObject({ ok: false, code: 'invalid_message' });
    expect(checkServerFrame(frame(MAX_PRESENCE_MEMBERS + 1))).toBeUndefined();
  });

  it('channels() returns the checked fields only, and a valid status answer still resolves', async () => {
    raw('{"channels":[{"channel":"chat","subscribers":1,"presence":0}],"extra":1}');
    expect(await makeClient({ retries: 0 }).client.channels()).toEqual({ channels: [{ channel: 'chat', subscribers: 1, presence: 0 }] });
    raw('{"enabled":true,"region":"us-east-1","endpoint":"wss://pulse.vpc1.us","connections":1,"channels":1,"extra":{"a":1}}');
    expect(await makeClient({ retries: 0 }).client.status()).toEqual({ enabled: true, region: 'us-east-1', endpoint: 'wss://pulse.vpc1.us', connections: 1, channels: 1 });
  });
});
