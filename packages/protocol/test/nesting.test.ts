import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_NESTING_DEPTH, parseClientAction, parseServerFrame } from '@openkbs-pulse/protocol';
import { parsedJsonProblem } from '../src/validate.js';

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

describe('parsedJsonProblem', () => {
  const depthOf = (value: unknown): number =>
    typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
  const hasProtoKey = (value: unknown): boolean =>
    typeof value === 'object' && value !== null && (Object.hasOwn(value, '__proto__') || Object.values(value).some(hasProtoKey));
  // JSON with keys drawn from a small set that includes __proto__ (in JSON text, so JSON.parse makes it an own key).
  const keyed = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom('1', '"x"', 'null', '"__proto__"'),
      fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
      fc
        .array(fc.tuple(fc.constantFrom('a', 'b', '__proto__', '\\u005f_proto__'), tie('value')), { maxLength: 3 })
        .map((entries) => `{${entries.map(([key, item]) => `"${key}":${item}`).join(',')}}`),
    ),
  })).value;

  it('names what the parsed value holds: nesting deeper than max, or an own __proto__ key, else nothing', () => {
    fc.assert(
      fc.property(keyed, fc.nat(8), (text, max) => {
        const value: unknown = JSON.parse(text);
        const problem = parsedJsonProblem(value, max);
        const deep = depthOf(value) > max;
        const proto = hasProtoKey(value);
        if (!deep && !proto) expect(problem).toBeUndefined();
        else if (!proto) expect(problem).toBe('depth');
        else if (!deep) expect(problem).toBe('__proto__');
        else expect(['depth', '__proto__']).toContain(problem);
      }),
      { numRuns: 5000 },
    );
  });

  // Strings full of brackets, quotes, backslashes and `|` (a backslash with the 0x20 bit set).
  const tricky = fc.string({ unit: fc.constantFrom('{', '[', '}', ']', '"', '\\', '|', 'a', '\u{1f600}') });

  it('agrees with the depth of any parsed JSON value, strings full of brackets included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 10 }), fc.array(fc.oneof(tricky, fc.jsonValue({ maxDepth: 4 })))), fc.nat(12), (value, max) => {
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        fc.pre(!hasProtoKey(parsed));
        expect(parsedJsonProblem(parsed, max)).toBe(depthOf(parsed) > max ? 'depth' : undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it('has nothing to say about primitives, and counts the value itself as a level', () => {
    expect(parsedJsonProblem('x', 0)).toBeUndefined();
    expect(parsedJsonProblem({}, 0)).toBe('depth');
    expect(parsedJsonProblem({}, 1)).toBeUndefined();
    expect(parsedJsonProblem([[]], 1)).toBe('depth');
    expect(parsedJsonProblem(JSON.parse('{"a":[{"__proto__":1}]}'), 3)).toBe('__proto__');
  });

  it('reads a key named __proto__ that is not at the top as a problem, and the text "__proto__" in a value as none', () => {
    expect(parsedJsonProblem(JSON.parse('{"a":{"b":{"\\u005f_proto__":{}}}}'), 64)).toBe('__proto__');
    expect(parsedJsonProblem(JSON.parse('{"a":"__proto__","b":["__proto__"]}'), 64)).toBeUndefined();
  });
});
