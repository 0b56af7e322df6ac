import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_NESTING_DEPTH, parseClientAction, parseServerFrame } from '@openkbs-pulse/protocol';
import { nestingExceeds } from '../src/validate.js';

/** `{"a":{"a":...{inner}...}}` with `levels` objects around `inner`. */
const nest = (levels: number, inner: string): string => '{"a":'.repeat(levels) + inner + '}'.repeat(levels);

/** A publish whose frame (counted as one level) nests `depth` objects/arrays in all. */
const publishOfDepth = (depth: number, inner = '{}') =>
  `{"action":"publish","channel":"c","event":"e","data":${nest(depth - 2, inner)}}`;
const messageOfDepth = (depth: number, inner = '{}') =>
  `{"type":"message","channel":"c","timestamp":1,"data":{"type":"e","x":${nest(depth - 3, inner)}}}`;

describe('nesting depth cap', () => {
  it('is 64 levels, the frame itself counting as one', () => {
    expect(MAX_NESTING_DEPTH).toBe(64);
  });

  it('accepts frames nested exactly MAX_NESTING_DEPTH deep', () => {
    expect(parseClientAction(publishOfDepth(MAX_NESTING_DEPTH)).ok).toBe(true);
    expect(parseServerFrame(messageOfDepth(MAX_NESTING_DEPTH)).ok).toBe(true);
  });

  it('rejects frames one level deeper as invalid_message, with or without suspicious text', () => {
    for (const text of [publishOfDepth(MAX_NESTING_DEPTH + 1), publishOfDepth(MAX_NESTING_DEPTH + 1, '{"s":"\\u0041"}')]) {
      expect(parseClientAction(text)).toEqual({ ok: false, code: 'invalid_message', message: expect.stringContaining('nested too deeply') });
    }
    expect(parseServerFrame(messageOfDepth(MAX_NESTING_DEPTH + 1))).toMatchObject({ ok: false, code: 'invalid_message' });
  });

  it('counts arrays as levels too, and ignores brackets inside strings', () => {
    const arrays = `{"action":"publish","channel":"c","event":"e","data":{"x":${'['.repeat(MAX_NESTING_DEPTH - 1)}${']'.repeat(MAX_NESTING_DEPTH - 1)}}}`;
    expect(parseClientAction(arrays).ok).toBe(false);
    const inString = `{"action":"publish","channel":"c","event":"e","data":{"x":"${'{['.repeat(200)}\\"${'{'.repeat(100)}"}}`;
    expect(parseClientAction(inString).ok).toBe(true);
  });

  it('cannot be used to hide a __proto__ key below the walk (70 levels deep)', () => {
    const client = publishOfDepth(70, '{"__proto__":{"polluted":true}}');
    const server = messageOfDepth(70, '{"__proto__":{"polluted":true}}');
    expect(parseClientAction(client)).toMatchObject({ ok: false, code: 'invalid_message' });
    expect(parseServerFrame(server)).toMatchObject({ ok: false, code: 'invalid_message' });
  });

  it('still finds a __proto__ key at the deepest allowed level', () => {
    // {"__proto__":{"polluted":true}} is 2 levels: the key sits in level MAX_NESTING_DEPTH - 1.
    const text = publishOfDepth(MAX_NESTING_DEPTH, '{"__proto__":true}');
    expect(parseClientAction(text)).toEqual({ ok: false, code: 'invalid_message', message: expect.stringContaining('__proto__') });
  });
});

describe('nestingExceeds', () => {
  /** The depth of a parsed JSON value, the value itself counting as one level when it is an object or array. */
  const depthOf = (value: unknown): number =>
    typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
  // Strings full of brackets, quotes, backslashes and `|` (a backslash with the 0x20 bit set).
  const tricky = fc.string({ unit: fc.constantFrom('{', '[', '}', ']', '"', '\\', '|', 'a', '\u{1f600}') });

  it('agrees with the depth of the parsed value, strings and escapes included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 10 }), fc.array(fc.oneof(tricky, fc.jsonValue({ maxDepth: 4 })))), fc.nat(12), (value, max) => {
        const text = JSON.stringify(value);
        expect(nestingExceeds(text, max)).toBe(depthOf(value) > max);
      }),
      { numRuns: 3000 },
    );
  });
});
