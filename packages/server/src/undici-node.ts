/**
 * `#undici` for Node (and Deno and Bun, which resolve the `node` condition too): undici itself,
 * or `undefined` when it cannot be loaded or is a stub without `Agent`.
 * @module
 */
import type * as Undici from 'undici';

export function loadUndici(): Promise<typeof Undici | undefined> {
  return import('undici').then(
    (mod) => (typeof mod.Agent === 'function' ? mod : undefined),
    () => undefined,
  );
}
