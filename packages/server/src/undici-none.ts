/**
 * `#undici` for Workers, edge runtimes and browsers: no undici, so `auto` uses `fetch` and a
 * bundle for these targets never pulls undici (nor the Node built-ins it needs) in.
 * @module
 */
import type * as Undici from 'undici';

export function loadUndici(): Promise<typeof Undici | undefined> {
  return Promise.resolve(undefined);
}
