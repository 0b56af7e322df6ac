// The one check of what a client, the server SDK and the service accept to send: every value it
// lets through is accepted by the service's frame parser, and every refusal names the fix.
import { describe, expect, it } from 'vitest';
import {
  MAX_MESSAGE_BYTES,
  MAX_NESTING_DEPTH,
  MAX_PRESENCE_DATA_DEPTH,
  MAX_PUBLISH_DATA_DEPTH,
  encodeFrame,
  jsonValueProblem,
  parseClientAction,
  parseServerFrame,
  presenceDataProblem,
  publishProblem,
} from '@openkbs-pulse/protocol';

const nest = (levels: number): unknown => {
  let value: unknown = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
};

describe('jsonValueProblem', () => {
  it('accepts JSON values, dates and undefined properties', () => {
    expect(jsonValueProblem({ a: [1, 'x', null, true, { b: undefined }], d: new Date(0) }, 10)).toBeUndefined();
  });
  it.each([
    ['a BigInt', { n: 1n }, /BigInt/],
    ['a cycle', (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })(), /refers to itself/],
    ['a function', { f: () => 1 }, /function/],
    ['NaN', { n: Number.NaN }, /NaN/],
    ['Infinity', [Infinity], /Infinity/],
    ['a Map', { m: new Map() }, /Map/],
    ['a Set', { s: new Set([1]) }, /holds an instance of Set, which JSON cannot carry: convert it or leave it out/],
    ['a symbol', [Symbol('s')], /holds a symbol/],
    ['a __proto__ key', JSON.parse('{"x":{"__proto__":{"polluted":true}}}') as unknown, /__proto__/],
    ['a throwing getter', Object.defineProperty({}, 'g', { enumerable: true, get: () => { throw new Error('boom'); } }), /boom/],
  ])('refuses %s', (_name, value, pattern) => {
    expect(jsonValueProblem(value, 10)).toMatch(pattern);
  });
  it('counts the value itself as one level', () => {
    expect(jsonValueProblem(nest(5), 5)).toBeUndefined();
    expect(jsonValueProblem(nest(6), 5)).toMatch(/more than 5 levels/);
  });
});

describe('publishProblem', () => {
  it('lets through exactly what the service parser accepts at the depth limit', () => {
    const deepest = nest(MAX_PUBLISH_DATA_DEPTH) as Record<string, unknown>;
    expect(publishProblem('c', 'e', deepest)).toBeUndefined();
    const frame = encodeFrame({ action: 'publish', channel: 'c', event: 'e', data: deepest });
    expect(parseClientAction(frame).ok).toBe(true);
    const delivered = encodeFrame({ type: 'message', channel: 'c', data: { ...deepest, type: 'e' }, timestamp: 1 });
    expect(parseServerFrame(delivered).ok).toBe(true);
    const deeper = nest(MAX_PUBLISH_DATA_DEPTH + 1);
    expect(publishProblem('c', 'e', deeper)?.code).toBe('invalid_argument');
    expect(parseClientAction(encodeFrame({ action: 'publish', channel: 'c', event: 'e', data: deeper as never })).ok).toBe(false);
  });
  it('refuses names, shapes and sizes with a code', () => {
    expect(publishProblem('', 'e', {})?.code).toBe('invalid_argument');
    expect(publishProblem('c', 'e', [1])?.code).toBe('invalid_argument');
    expect(publishProblem('c', 'e', { n: 1n })?.message).toMatch(/BigInt/);
    const big = publishProblem('c', 'e', { text: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect(big?.code).toBe('message_too_large');
    expect(big?.message).toMatch(/send less/);
    expect(publishProblem('c', 'e', { text: 'x'.repeat(MAX_MESSAGE_BYTES - 200) })).toBeUndefined();
  });
  it('never throws', () => {
    for (const data of [Symbol('s'), 1n, () => 1, new Proxy({}, { ownKeys: () => { throw new Error('no'); } })]) {
      expect(() => publishProblem('c', 'e', data)).not.toThrow();
      expect(publishProblem('c', 'e', data)?.code).toBe('invalid_argument');
    }
  });
});

describe('presenceDataProblem', () => {
  it('keeps presence data shallow enough for a sync frame that lists it', () => {
    const deepest = nest(MAX_PRESENCE_DATA_DEPTH);
    expect(presenceDataProblem('c', deepest)).toBeUndefined();
    const sync = encodeFrame({ type: 'presence', action: 'sync', channel: 'c', count: 1, members: [{ userId: 'u', connectionId: 'k', data: deepest }] });
    expect(parseServerFrame(sync).ok).toBe(true);
    expect(presenceDataProblem('c', nest(MAX_PRESENCE_DATA_DEPTH + 1))?.code).toBe('invalid_argument');
    expect(MAX_PRESENCE_DATA_DEPTH).toBe(MAX_NESTING_DEPTH - 3);
  });
  it('refuses oversized data', () => {
    expect(presenceDataProblem('c', { s: 'x'.repeat(MAX_MESSAGE_BYTES) })?.code).toBe('message_too_large');
  });
});

// Found by an outside review: data with a toJSON method passed the check as an object, then
// serialised to something else (a Date to a string, a class to any shape) that the service refused.
describe('publish data with a toJSON method', () => {
  it('is refused before sending, saying what to pass', () => {
    for (const data of [new Date(0), { toJSON: () => [1] }, { toJSON: () => ({ type: 'x' }) }]) {
      expect(publishProblem('chat', 'x', data)).toEqual({ code: 'invalid_argument', message: 'data has a toJSON method: pass the plain object to send' });
    }
    expect(publishProblem('chat', 'x', { when: new Date(0) })).toBeUndefined();
  });
});
