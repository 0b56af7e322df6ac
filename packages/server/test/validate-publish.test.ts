// validatePublish is the protocol's publishProblem (one rule for the client, the SDK and the
// service), not a copy of its own: a copy once left out nesting, __proto__ keys, values JSON
// changes and the publish frame's size (an outside review), so the service refused or silently
// changed what the SDK let through.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_MESSAGE_BYTES, messageFrameBytes, type SendProblem } from '@openkbs-pulse/protocol';

const judged = vi.hoisted(() => ({ override: undefined as SendProblem | undefined, calls: [] as unknown[][] }));

vi.mock('@openkbs-pulse/protocol', async (importOriginal) => {
  const original = await importOriginal<typeof import('@openkbs-pulse/protocol')>();
  return {
    ...original,
    publishProblem: (...args: Parameters<typeof original.publishProblem>) => {
      judged.calls.push(args);
      return judged.override ?? original.publishProblem(...args);
    },
  };
});

const { validatePublish } = await import('../src/client.js');

afterEach(() => {
  judged.override = undefined;
  judged.calls.length = 0;
});

describe('validatePublish', () => {
  it('asks publishProblem and throws its verdict, code and message', () => {
    judged.override = { code: 'message_too_large', message: 'the message is 40000 bytes once framed' };
    expect(() => validatePublish('chat', 'msg', { a: 1 })).toThrow(expect.objectContaining({ code: 'message_too_large', message: expect.stringContaining('40000 bytes') }));
    expect(judged.calls).toEqual([['chat', 'msg', { a: 1 }]]);
    judged.override = undefined;
    expect(() => validatePublish('chat', 'msg', { a: 1 })).not.toThrow();
  });

  it('at the real boundary: exactly MAX_MESSAGE_BYTES passes, one more byte fails', () => {
    const base = messageFrameBytes('chat', 'msg', { text: '' });
    const fits = { text: 'x'.repeat(MAX_MESSAGE_BYTES - base) };
    expect(messageFrameBytes('chat', 'msg', fits)).toBe(MAX_MESSAGE_BYTES);
    expect(() => validatePublish('chat', 'msg', fits)).not.toThrow();
    expect(() => validatePublish('chat', 'msg', { text: `${fits.text}x` })).toThrow(expect.objectContaining({ code: 'message_too_large' }));
  });

  it.each([
    ['NaN', { n: Number.NaN }],
    ['a Map', { m: new Map() }],
    ['undefined in an array', { list: [1, undefined] }],
    ['a __proto__ key', JSON.parse('{"__proto__":{"admin":true}}') as object],
  ])('refuses data holding %s (invalid_argument), as the client and the service do', (_, data) => {
    expect(() => validatePublish('chat', 'msg', data)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});
