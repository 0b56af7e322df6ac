// An outside review found: useChannelEvents built its limit message with String(limit), so a
// limit without a string form (a null-prototype object) threw a TypeError instead of a
// PulseError (invalid_argument). The value is shown with the protocol's shownValue now, as in the
// React entry's other messages about a value.
import { expect, it } from 'vitest';
import { PulseError } from '../src/index.js';
import { useChannelEvents } from '../src/react/index.js';

it('a limit without a string form is an invalid_argument', () => {
  let thrown: unknown;
  try {
    useChannelEvents('chat', 'message', { limit: Object.create(null) as number });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(PulseError);
  expect(thrown).toMatchObject({ code: 'invalid_argument' });
});
