// shownValue: how every message about bad input shows that input, without ever throwing on it
// (inspector-op-without-string-form, token-expires-in-without-string-form).
import { describe, expect, it } from 'vitest';
import { messageText, shownValue, tokenRequestProblem } from '../src/index.js';

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

// messageText: a reason's text (the server SDK's unhandled-failure report, a shared connection's
// error on the wire, the React entry's errors): one rule where three copies were.
describe('messageText', () => {
  it.each<[string, unknown, string]>([
    ['a string, not quoted', 'token expired', 'token expired'],
    ['an empty string', '', ''],
    ['a number', 42, '42'],
    ['an Error', new Error('boom'), 'Error: boom'],
    ['a non-callable own toString', { toString: 1 }, 'a value of type object'],
    ['a BigInt', 10n, '10'],
  ])('%s', (_label, value, text) => {
    expect(messageText(value)).toBe(text);
  });
});
