/**
 * The rule for what callers inject into the SDKs and the local service (timers, randomness,
 * fetch, hooks): one of the wrong type is refused where it is passed in, since it would otherwise
 * fail far from the mistake, in a timer (an uncaught exception ends a Node process), in a
 * listener's error path (the error dropped) or as a network failure retried for ever.
 * @module
 */
import { shownValue } from './validate.js';

const CLOCK_METHODS = ['now', 'setTimeout', 'clearTimeout'] as const;

/**
 * What is wrong with the injected options of `options`, or undefined: each of `functions` that is
 * set (not undefined or null, which mean the default) must be a function, and a `clock` an object
 * with `now()`, `setTimeout()` and `clearTimeout()`. The message names the option.
 * @internal
 */
export function injectedOptionsProblem(options: object, functions: readonly string[]): string | undefined {
  const given = options as Readonly<Record<string, unknown>>;
  for (const key of functions) {
    const value = given[key];
    if (value != null && typeof value !== 'function') return `${key} must be a function (got ${shownValue(value)})`;
  }
  const clock = given.clock as Readonly<Record<string, unknown>> | null | undefined;
  if (clock != null && !CLOCK_METHODS.every((method) => typeof clock[method] === 'function')) {
    return `clock must be an object with now(), setTimeout() and clearTimeout() (got ${shownValue(clock)})`;
  }
  return undefined;
}
