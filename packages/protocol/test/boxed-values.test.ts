// An outside review found: boxed primitives passed the publish check as objects, but JSON writes
// the primitive inside (`new String('hi')` travelled as "hi", which the service refuses;
// `new Number(NaN)` nested in data travelled as null, though a bare NaN is refused).
import { describe, expect, it } from 'vitest';
import { jsonValueProblem, MAX_PUBLISH_DATA_DEPTH, presenceDataProblem, publishProblem } from '@openkbs-pulse/protocol';

describe('boxed primitives in data', () => {
  it('are no publish payload: the data must be a JSON object', () => {
    for (const data of [new String('hi'), new Number(1), new Boolean(true), Object(1n)]) {
      expect(publishProblem('c', 'e', data)).toEqual({ code: 'invalid_argument', message: 'data must be a JSON object (it gets the event name as data.type)' });
    }
  });

  it('nested, are judged as the primitive JSON writes', () => {
    expect(jsonValueProblem({ n: new Number(NaN) }, MAX_PUBLISH_DATA_DEPTH)).toBe('data holds NaN, which JSON cannot carry: convert it or leave it out');
    expect(jsonValueProblem({ n: Object(1n) }, MAX_PUBLISH_DATA_DEPTH)).toBe('data holds a BigInt, which JSON cannot carry: convert it or leave it out');
    expect(publishProblem('c', 'e', { s: new String('hi'), n: new Number(1), b: new Boolean(false) })).toBeUndefined();
    expect(presenceDataProblem('c', new String('Ada'))).toBeUndefined();
  });
});

describe('what only claims to be boxed', () => {
  it('a plain object with a Number or String tag is an object like any other', () => {
    const claims = { [Symbol.toStringTag]: 'String', text: 'hi' };
    expect(publishProblem('c', 'e', claims)).toBeUndefined();
    expect(jsonValueProblem({ n: { [Symbol.toStringTag]: 'Number' } }, MAX_PUBLISH_DATA_DEPTH)).toBeUndefined();
  });
});
