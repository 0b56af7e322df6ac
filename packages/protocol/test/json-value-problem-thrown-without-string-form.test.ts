// An outside review found: jsonValueProblem, documented never to throw, built its message with
// String(error) for a thrown non-Error. A getter or toJSON that threw a value without a string
// form (a null-prototype object) made it, publishProblem and presenceDataProblem throw a
// TypeError, so publish() rejected with a TypeError instead of invalid_argument. Now the thrown
// value is shown with shownValue.
import { describe, expect, it } from 'vitest';
import { jsonValueProblem, publishProblem } from '../src/index.js';

const hostile = { get x(): never { throw Object.create(null); } };

describe('a getter that throws a value without a string form', () => {
  it('jsonValueProblem reports it instead of throwing', () => {
    let result: unknown;
    expect(() => (result = jsonValueProblem(hostile, 10))).not.toThrow();
    expect(typeof result).toBe('string');
  });

  it('publishProblem refuses it with invalid_argument', () => {
    let result: ReturnType<typeof publishProblem>;
    expect(() => (result = publishProblem('chat', 'message', hostile))).not.toThrow();
    expect(result!).toMatchObject({ code: 'invalid_argument' });
  });
});
