// shownValue: how every message about bad input shows that input, without ever throwing on it
// (inspector-op-without-string-form, token-expires-in-without-string-form).
import { describe, expect, it } from 'vitest';
import { shownValue, tokenRequestProblem } from '../src/index.js';

describe('shownValue', () => {
  it.each<[string, unknown, string]>([
    ['a string', 'soon', '"soon"'],
    ['an empty string', '', '""'],
    ['a number', 0.5, '0.5'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    ['an object', {}, '[object Object]'],
    ['a non-callable own toString', { toString: 1 }, 'a value of type object'],
    ['null toString and valueOf', { toString: null, valueOf: null }, 'a value of type object'],
    ['an array of one', [{ toString: 1 }], 'a value of type object'],
    ['a null-prototype object', Object.create(null), 'a value of type object'],
    ['a throwing toString', { toString: () => { throw new Error('no'); } }, 'a value of type object'],
  ])('%s', (_label, value, shown) => {
    expect(shownValue(value)).toBe(shown);
  });

  it('tokenRequestProblem refuses an expiresIn without a string form instead of throwing', () => {
    expect(tokenRequestProblem('alice', { toString: 1 })).toMatch(/^expiresIn must be a number of seconds .*\(got a value of type object\)$/);
  });
});
