// checkServerFrame settles the nesting rule of a short message frame from its text, without
// walking the parsed value (textRulesOutJsonProblem: the receive path's cost). These are the
// frames that could slip past such a shortcut: each must get parseServerFrame's verdict.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkServerFrame, MAX_NESTING_DEPTH, parseServerFrame } from '@openkbs-pulse/protocol';

const agree = (text: string): boolean => {
  const parsed = parseServerFrame(text);
  expect(checkServerFrame(text) !== undefined).toBe(parsed.ok);
  return parsed.ok;
};
/** A message frame whose data nests `levels` arrays (the frame and its data are two levels more). */
const nested = (levels: number, channel = 'c', event = 'e'): string =>
  `{"type":"message","channel":"${channel}","data":{"type":"${event}","x":${'['.repeat(levels)}${']'.repeat(levels)}},"timestamp":1}`;

describe('the nesting rule of short message frames', () => {
  it('takes the deepest allowed frame and refuses one level more, at the shortest texts', () => {
    expect(agree(nested(MAX_NESTING_DEPTH - 2))).toBe(true);
    expect(agree(nested(MAX_NESTING_DEPTH - 1))).toBe(false);
  });

  it('refuses an own __proto__ key however it is spelled, in a short frame', () => {
    for (const key of ['__proto__', '\\u005f_proto__', '_\\u005fproto__', '\\u005f\\u005fproto\\u005f\\u005f', '__pr\\u006fto__']) {
      const text = `{"type":"message","channel":"c","data":{"type":"e","${key}":{"admin":true}},"timestamp":1}`;
      expect(text.length).toBeLessThan(130);
      expect(agree(text)).toBe(false);
    }
  });

  it('agrees on generated short frames, nested and escaped', () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.constantFrom(0, 'a', '__', '\\', '{', '[', null), fc.array(tie('v'), { maxLength: 2 }), fc.dictionary(fc.constantFrom('a', '__proto__', '_', 'b'), tie('v'), { maxKeys: 2 })),
    })).v;
    fc.assert(
      fc.property(value, fc.string({ minLength: 1, maxLength: 3 }), (x, channel) => {
        agree(JSON.stringify({ type: 'message', channel, data: { type: 'e', x }, timestamp: 1 }).replace('"a"', '"\\u0061"'));
      }),
      { numRuns: 1500 },
    );
  });

  it('walks the frame when Object.prototype has a key a message frame reads: the frame may not spell it', () => {
    // Only the inherited keys make this a message: its text holds none of them, so it has room for
    // nesting past the limit in fewer characters than a frame that spells them.
    const deep = `{"x":${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}}`;
    const inherited = { type: 'message', channel: 'c', data: { type: 'e' }, timestamp: 1 };
    for (const [key, value] of Object.entries(inherited)) Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
    try {
      expect(parseServerFrame(deep).ok).toBe(false);
      expect(checkServerFrame(deep)).toBeUndefined();
      // The same frame one level shallower is a message there (both agree).
      const shallower = `{"x":${'['.repeat(MAX_NESTING_DEPTH - 2)}${']'.repeat(MAX_NESTING_DEPTH - 2)}}`;
      expect(parseServerFrame(shallower).ok).toBe(true);
      expect(checkServerFrame(shallower)).toBeDefined();
    } finally {
      for (const key of Object.keys(inherited)) delete (Object.prototype as Record<string, unknown>)[key];
    }
  });
});

// An outside review found: the check that Object.prototype has no key a message frame reads came
// after those reads, so a getter that removed itself when read (a one-shot shim) made a frame a
// message through a key its text never spelled, then found Object.prototype clean: the text was
// credited with characters it lacked, room for a 65th level. The check now comes before any read,
// and without it the frame is walked first, as parseServerFrame walks it.
describe('a getter on Object.prototype that changes Object.prototype when read', () => {
  const oneShotTimestamp = (): void => {
    Object.defineProperty(Object.prototype, 'timestamp', {
      configurable: true,
      get() {
        delete (Object.prototype as Record<string, unknown>).timestamp;
        return 1;
      },
    });
  };
  // The frame (level 1) and its data (level 2) and 63 arrays: 65 levels, one over the limit.
  const levels = MAX_NESTING_DEPTH - 1;
  const text = `{"type":"message","channel":"c","data":{"type":"e","":${'['.repeat(levels)}${']'.repeat(levels)}}}`;

  it('cannot make a frame nested too deeply pass', () => {
    try {
      oneShotTimestamp();
      expect(parseServerFrame(text).ok).toBe(false);
      delete (Object.prototype as Record<string, unknown>).timestamp;
      oneShotTimestamp();
      expect(checkServerFrame(text)).toBeUndefined();
    } finally {
      delete (Object.prototype as Record<string, unknown>).timestamp;
    }
  });

  it('control: with a getter that stays, both refuse it', () => {
    Object.defineProperty(Object.prototype, 'timestamp', { configurable: true, get: () => 1 });
    try {
      expect(parseServerFrame(text).ok).toBe(false);
      expect(checkServerFrame(text)).toBeUndefined();
    } finally {
      delete (Object.prototype as Record<string, unknown>).timestamp;
    }
  });
});
