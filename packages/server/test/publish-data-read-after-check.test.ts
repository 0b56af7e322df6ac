// An outside review found: publish() threw the bare error of a data getter that threw only when the request body was written (after the check).
// Attacks 9068d1b + 0a26483: "publish rejects with PulseError invalid_argument" for data whose
// getters throw. publishProblem now catches throws of its own reads (the check and the size
// count), but the SDK reads the data once more when it writes the request body
// (client.ts call(): `JSON.stringify(request)`), outside any try. A getter that throws from its
// first read after validatePublish's ones escapes publish() as the bare Error: no code, not a
// PulseError (the rule: any input gives a typed error).
import { expect, it } from 'vitest';
import { createPulseClient, isPulseError, validatePublish } from '../src/index.js';

function lateThrower(reads: number): object {
  let count = 0;
  return Object.defineProperty({}, 'text', {
    enumerable: true,
    get: () => {
      if (++count > reads) throw new Error('read once too often');
      return 'hi';
    },
  });
}

/** How many times validatePublish reads a getter of the data. */
function readsOfValidation(): number {
  let count = 0;
  const data = Object.defineProperty({}, 'text', { enumerable: true, get: () => (count++, 'hi') });
  validatePublish('chat', 'message', data);
  return count;
}

it('publish() rejects with a PulseError for a getter that throws on the read after validation', async () => {
  const n = readsOfValidation();
  expect(n).toBeGreaterThan(0);
  const sent: unknown[] = [];
  const client = createPulseClient({
    kbId: 'kb',
    apiKey: 'key',
    apiUrl: 'http://pulse.test/',
    transport: 'fetch',
    fetch: async (...args) => {
      sent.push(args);
      throw new Error('must not be called');
    },
    onError: () => undefined,
  });
  const error = await client.publish('chat', 'message', lateThrower(n)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(sent).toEqual([]);
  // Actual: the bare Error('read once too often'), no code.
  expect({ pulseError: isPulseError(error), code: (error as { code?: unknown })?.code }).toEqual({ pulseError: true, code: 'invalid_argument' });
});
