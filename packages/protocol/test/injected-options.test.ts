// The one rule for options callers inject (used by the client, the server SDK and the service).
import { expect, it } from 'vitest';
import { injectedOptionsProblem, systemClock } from '../src/index.js';

it('takes functions, a clock, and undefined or null for the default', () => {
  expect(injectedOptionsProblem({ random: Math.random, clock: systemClock }, ['random', 'fetch'])).toBeUndefined();
  expect(injectedOptionsProblem({ random: undefined, fetch: null, clock: null }, ['random', 'fetch'])).toBeUndefined();
  expect(injectedOptionsProblem({}, [])).toBeUndefined();
});

it('names the first option of the wrong type, and what it got', () => {
  expect(injectedOptionsProblem({ random: 'x' }, ['random'])).toBe('random must be a function (got "x")');
  expect(injectedOptionsProblem({ fetch: {}, random: 1 }, ['random', 'fetch'])).toBe('random must be a function (got 1)');
  expect(injectedOptionsProblem({ clock: {} }, [])).toBe('clock must be an object with now(), setTimeout() and clearTimeout() (got [object Object])');
  expect(injectedOptionsProblem({ clock: { now: () => 0, setTimeout: () => 0 } }, [])).toMatch(/^clock must be an object with/);
  expect(injectedOptionsProblem({ clock: 5 }, [])).toMatch(/^clock must be .* \(got 5\)$/);
  // A function the rule does not name is not checked.
  expect(injectedOptionsProblem({ other: 'x' }, ['random'])).toBeUndefined();
});
