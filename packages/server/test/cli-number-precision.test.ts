// An outside review found: `openkbs-pulse publish <channel> '<json>'` parsed the message with
// JSON.parse (cli-run.ts parsePublishData) and published the result, so an integer beyond 2^53 (an
// order or snowflake id) was silently rounded: the user typed {"id": 12345678901234567890},
// subscribers got {"id": 12345678901234567000}, exit 0. The CLI already refused values JSON would
// change on the way (1e400: "holds Infinity", exit 2); a number changed by its own parse is now a
// usage error too (exit 2), which says to quote the number as a string. Nothing is sent.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpResponse } from 'msw';
import { inexactInteger } from '../src/cli-run.js';
import { PUBLISH_RESPONSE, onApi, runCliCaptured, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('CLI publish of a JSON message', () => {
  it('the value Infinity is refused (the rule the CLI already follows)', async () => {
    onApi(() => HttpResponse.json(PUBLISH_RESPONSE));
    expect((await runCliCaptured(['publish', 'orders', '{"total": 1e400}'])).code).toBe(2);
  });

  it('an integer JSON.parse cannot hold exactly is not silently rounded', async () => {
    const received = onApi(() => HttpResponse.json(PUBLISH_RESPONSE));
    const result = await runCliCaptured(['publish', 'orders', '{"id": 12345678901234567890}']);
    const sent = received.map((body) => JSON.stringify(body.data));
    expect(result.code === 2 || sent.every((text) => text.includes('12345678901234567890'))).toBe(true);
    expect(result.code).toBe(2);
    expect(received).toEqual([]);
    expect(result.stderr).toContain('quote it as a string ("12345678901234567890")');
  });

  it('integers a JSON number holds exactly, and digits inside strings, are published as typed', async () => {
    const received = onApi(() => HttpResponse.json(PUBLISH_RESPONSE));
    const message = '{"id": "12345678901234567890", "n": 9007199254740991, "big": 100000000000000000000, "x": 1.5e3, "s": "a \\" 99999999999999999999"}';
    expect((await runCliCaptured(['publish', 'orders', message])).code).toBe(0);
    expect(received.map((body) => body.data)).toEqual([JSON.parse(message)]);
  });

  it.each([
    ['{"a": 9007199254740993}', '9007199254740993'],
    ['{"a": [1, {"b": -12345678901234567890}]}', '-12345678901234567890'],
    ['{"a": 9007199254740992}', undefined],
    ['{"a": "9007199254740993"}', undefined],
    ['{"a": 1e400}', undefined],
  ])('inexactInteger(%s) is %s', (text, expected) => {
    expect(inexactInteger(text)).toBe(expected);
  });
});
