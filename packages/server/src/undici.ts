/**
 * Loads undici, the keep-alive pool of the Node transport, only where it belongs. `#undici` is
 * this package's own import map (package.json `imports`): Node, Deno and Bun (the `node`
 * condition) get `undici-node`, which imports undici; Workers, edge and browser bundles (the
 * `workerd`, `worker`, `edge-light`, `browser` conditions, and any other) get `undici-none`. The
 * specifier is a literal, so bundlers resolve it like any import: a Worker bundle never contains
 * undici, and workerd, which refuses computed `import()` specifiers, accepts the bundle.
 * @module
 */
import type * as Undici from 'undici';

/** The undici module. */
export type UndiciModule = typeof Undici;

let undiciModule: Promise<UndiciModule | undefined> | undefined;

/** Loads undici once; `undefined` where it is not available. */
export function loadUndici(): Promise<UndiciModule | undefined> {
  undiciModule ??= import('#undici').then(
    (loader) => loader.loadUndici(),
    () => undefined,
  );
  return undiciModule;
}
