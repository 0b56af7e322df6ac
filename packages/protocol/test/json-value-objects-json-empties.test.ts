// An outside review found: the one publish rule refuses a Map and a Set because "JSON cannot carry"
// them (JSON.stringify writes {}), but takes an Error, a RegExp, a Promise or a WeakMap, which
// JSON.stringify writes as {} just the same: publishProblem('jobs', 'failed', { error: caught })
// is undefined, the server SDK and the client send it, and every subscriber receives
// { error: {}, type: 'failed' }: the message and stack are gone without a word. The same holds for
// presence data (presenceDataProblem) and for an Error passed as the data itself (delivered as
// { type }). jsonValueProblem's doc says it refuses what JSON.stringify "would throw or silently
// change"; these are silently changed. Expected: refused with invalid_argument saying what to send
// (e.g. error.message), as a Map is.
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { presenceDataProblem, publishProblem } from '../src/index.js';

const emptied: [string, unknown][] = [
  ['an Error', new Error('the job failed: disk full')],
  ['a RegExp', /^order-\d+$/],
  ['a Promise', Promise.resolve(42)],
  ['a WeakMap', new WeakMap()],
];

describe('values JSON writes as {}', () => {
  it('control: a Map nested in data is refused (JSON writes it as {})', () => {
    expect(JSON.stringify({ v: new Map([['a', 1]]) })).toBe('{"v":{}}');
    expect(publishProblem('jobs', 'failed', { v: new Map([['a', 1]]) })).toMatchObject({ code: 'invalid_argument' });
  });

  it.each(emptied)('%s nested in publish data is refused, not sent as {}', (_what, value) => {
    expect(JSON.stringify({ v: value })).toBe('{"v":{}}');
    expect(publishProblem('jobs', 'failed', { error: value })).toMatchObject({ code: 'invalid_argument' });
  });

  it.each(emptied)('%s nested in presence data is refused, not entered as {}', (_what, value) => {
    expect(presenceDataProblem('room', { status: value })).toMatchObject({ code: 'invalid_argument' });
  });

  it('an Error as the publish data itself is refused, not delivered as { type } alone', () => {
    expect(publishProblem('jobs', 'failed', new Error('the job failed'))).toMatchObject({ code: 'invalid_argument' });
  });

  it('the refusal names what the value is', () => {
    expect(publishProblem('jobs', 'failed', { pattern: /x/ })?.message).toBe('data holds an instance of RegExp, which JSON cannot carry: convert it or leave it out');
    expect(publishProblem('jobs', 'failed', { error: new TypeError('x') })?.message).toContain('holds an instance of TypeError');
  });

  it('is judged without instanceof: an Error or a Map from another realm (an iframe, vm) is refused too', () => {
    expect(publishProblem('jobs', 'failed', { error: vm.runInNewContext('new Error("x")') })).toMatchObject({ code: 'invalid_argument' });
    expect(publishProblem('jobs', 'failed', { map: vm.runInNewContext('new Map([["a", 1]])') })).toMatchObject({ code: 'invalid_argument' });
  });
});

describe('values whose JSON keeps what they hold pass as before', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  it.each<[string, unknown]>([
    ['a class instance whose fields are its data', new Point(1, 2)],
    ['an empty plain object', {}],
    ['an empty object without prototype', Object.create(null)],
    ['an empty array', []],
    ['an empty plain object from another realm', vm.runInNewContext('({})')],
    ['an empty array from another realm', vm.runInNewContext('[]')],
    ['a Date (its toJSON writes a string)', new Date(0)],
    ['a boxed string (written as the string)', new String('')],
    ['an Error whose toJSON returns its message', Object.assign(new Error('x'), { toJSON: () => 'x' })],
  ])('%s', (_what, value) => {
    expect(publishProblem('jobs', 'failed', { value })).toBeUndefined();
    expect(presenceDataProblem('room', { value })).toBeUndefined();
  });
});

