// An outside review found: times in HTTP answers were checked with isFiniteNumber only (api.ts
// pulsePublish `timestamp`, frames.ts parsePresenceMember `connectedAt`), while the frame rule for a
// service time was "finite and not before the epoch". So publish() resolved with a negative
// timestamp, and presence() with a connectedAt outside Date's range, on which the CLI's own
// `presence` command then failed with `Invalid time value [unexpected_error]` (cli-run.ts iso():
// new Date(ms).toISOString() threw RangeError), exit 1 and no output, for an answer the SDK had
// accepted. One rule now (the protocol's isTimestamp): ms since the epoch, within Date's range, for
// frames and answers alike; such answers are `invalid_response`.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkServerFrame, parseServerFrame } from '@openkbs-pulse/protocol';
import { answerWith, makeClient, runCliCaptured, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const settle = (promise: Promise<unknown>) => promise.then((value) => ({ resolvedWith: value }), (e: unknown) => e);

describe('service times in HTTP answers', () => {
  it('the client refuses a message frame with a negative timestamp', () => {
    expect(parseServerFrame('{"type":"message","channel":"c","data":{"type":"e"},"timestamp":-5}')).toMatchObject({ ok: false });
  });

  it('publish(): a negative timestamp is invalid_response, as in a frame', async () => {
    answerWith({ delivered: 1, timestamp: -5 });
    expect(await settle(makeClient({ retries: 0 }).client.publish('chat', 'message'))).toMatchObject({ code: 'invalid_response' });
  });

  it.each([1e300, -1e16, 8.64e15 + 1])('CLI presence: a member connectedAt of %d is not an unexpected_error crash of the table', async (connectedAt) => {
    answerWith({ count: 1, members: [{ userId: 'alice', connectionId: 'c1', connectedAt }] });
    const result = await runCliCaptured(['presence', 'chat']);
    expect(result.stderr).not.toContain('unexpected_error');
    expect(result.stderr).not.toContain('Invalid time value');
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('[invalid_response]') });
  });

  it('presence(): connectedAt 8.64e15 (the latest Date) is accepted and the CLI renders it', async () => {
    answerWith({ count: 1, members: [{ userId: 'alice', connectionId: 'c1', connectedAt: 8.64e15 }] });
    const result = await runCliCaptured(['presence', 'chat']);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('+275760-09-13T00:00:00.000Z') });
  });

  it.each([-1, 8.64e15 + 1])('frames follow the same rule: a message timestamp or connectedAt of %d is refused by both parsers', (time) => {
    const message = JSON.stringify({ type: 'message', channel: 'c', data: { type: 'e' }, timestamp: time });
    const enter = JSON.stringify({ type: 'presence', action: 'enter', channel: 'c', member: { userId: 'u', connectionId: 'c1', connectedAt: time } });
    for (const frame of [message, enter]) {
      expect(parseServerFrame(frame)).toMatchObject({ ok: false });
      expect(checkServerFrame(frame)).toBeUndefined();
    }
  });
});
