import { describe, expect, it } from 'vitest';
import {
  CONNECTION_TTL_MS,
  MAX_MESSAGE_BYTES,
  MAX_PRESENCE_MEMBERS,
  RECONNECT_DELAYS_MS,
  channelNameProblem,
  eventNameProblem,
  mergeEventIntoData,
  publishDataProblem,
  utf8ByteLength,
} from '@openkbs-pulse/protocol';

describe('limits of the seed', () => {
  it('are the documented numbers', () => {
    expect(MAX_MESSAGE_BYTES).toBe(32768);
    expect(MAX_PRESENCE_MEMBERS).toBe(100);
    expect(CONNECTION_TTL_MS).toBe(86_400_000);
    expect(RECONNECT_DELAYS_MS).toEqual([1000, 2000, 5000, 10000, 30000]);
    expect(Object.isFrozen(RECONNECT_DELAYS_MS)).toBe(true);
  });
});

describe('utf8ByteLength', () => {
  it('matches TextEncoder for ASCII, 2-, 3- and 4-byte characters and lone surrogates', () => {
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀b€é', '\ud800', 'x\udc00y', '\ud83d']) {
      expect(utf8ByteLength(text), JSON.stringify(text)).toBe(new TextEncoder().encode(text).length);
    }
  });
});

describe('name and data validation', () => {
  it('checks channel names', () => {
    expect(channelNameProblem('chat')).toBeUndefined();
    expect(channelNameProblem('a'.repeat(64))).toBeUndefined();
    expect(channelNameProblem('')).toMatch(/empty/);
    expect(channelNameProblem(1)).toMatch(/string/);
    expect(channelNameProblem('a\u0000')).toMatch(/control/);
  });
  it('checks event names', () => {
    expect(eventNameProblem('new_message')).toBeUndefined();
    expect(eventNameProblem('x'.repeat(129))).toMatch(/128/);
  });
  it('checks publish data', () => {
    expect(publishDataProblem('e', undefined)).toBeUndefined();
    expect(publishDataProblem('e', { a: 1 })).toBeUndefined();
    expect(publishDataProblem('e', [1])).toMatch(/object/);
    expect(publishDataProblem('e', { type: 'f' })).toMatch(/reserved/);
  });
  it('merges the event name as data.type without mutating the input', () => {
    const data = { text: 'hi' };
    expect(mergeEventIntoData('message', data)).toEqual({ text: 'hi', type: 'message' });
    expect(data).toEqual({ text: 'hi' });
    expect(mergeEventIntoData('ping', undefined)).toEqual({ type: 'ping' });
    expect(mergeEventIntoData('ping', null)).toEqual({ type: 'ping' });
    // An own type (equal to the event, as publishDataProblem requires) keeps its place in the key order.
    expect(Object.keys(mergeEventIntoData('e', { a: 1, type: 'e', b: 2 }))).toEqual(['a', 'type', 'b']);
  });
});
