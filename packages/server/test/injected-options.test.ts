// Injected options of the wrong type were taken by createPulseClient and failed inside calls:
// `random: 'x'`, `sleep: 'x'`, `onRetry: 'x'`, `env: 5` and `clock: {}` rejected calls with a bare
// TypeError (no code), and `fetch: 'x'` or `dispatcher: 'x'` with a retried network_error "could
// not reach ... check the URL and that the service is running". Each is now invalid_argument from
// createPulseClient, naming the option.
import { expect, it } from 'vitest';
import { createPulseClient, isPulseError } from '../src/index.js';

const refusal = (options: object): unknown => {
  try {
    createPulseClient({ kbId: 'kb', apiKey: 'key', ...options });
    return 'taken';
  } catch (e) {
    return isPulseError(e) ? { code: e.code, message: e.message } : `not a PulseError: ${String(e)}`;
  }
};

it.each([
  ['random', 'x', /^random must be a function \(got "x"\)\. Fix: /],
  ['sleep', 'x', /^sleep must be a function/],
  ['onRetry', 'x', /^onRetry must be a function/],
  ['onError', 'x', /^onError must be a function/],
  ['env', 5, /^env must be a function \(got 5\)/],
  ['fetch', 'x', /^fetch must be a function/],
  ['clock', {}, /^clock must be an object with now\(\), setTimeout\(\) and clearTimeout\(\)/],
  ['dispatcher', 'x', /^dispatcher must be an undici Dispatcher \(an Agent or a Pool\) \(got "x"\)/],
])('refuses %s: %j as invalid_argument naming it', (key, value, message) => {
  expect(refusal({ [key]: value })).toEqual({ code: 'invalid_argument', message: expect.stringMatching(message) });
});

it('takes options of the right types, and undefined for each', () => {
  const good = { random: Math.random, sleep: async () => {}, onRetry: () => {}, onError: () => {}, env: () => ({}), fetch: globalThis.fetch, clock: { now: Date.now, setTimeout, clearTimeout } };
  expect(refusal(good)).toBe('taken');
  for (const key of [...Object.keys(good), 'dispatcher']) expect(refusal({ [key]: undefined })).toBe('taken');
});
