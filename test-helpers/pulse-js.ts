/**
 * The built script-tag bundle `packages/client/pulse.js`, as a module with the exports of the npm
 * entry (`../src/index.js`). The `pulse-js` vitest project aliases the client's unit tests'
 * imports of `../src/index.js` to this file, so the same behaviour suite runs against the
 * minified bundle users load with a script tag (build it first: `corepack pnpm --filter
 * openkbs-pulse build`; `corepack pnpm test` does).
 * @module
 */
import { readFileSync } from 'node:fs';
import type * as Npm from '../packages/client/src/index.js';

const file = new URL('../packages/client/pulse.js', import.meta.url);
const source = readFileSync(file, 'utf8');
// The bundle declares `var Pulse = ...` (the global of a script tag): evaluated in a function, it is a local to return.
const global = new Function(`${source}\nreturn Pulse;`)() as typeof Npm.default & {
  PulseError: typeof Npm.PulseError;
  isPulseError: typeof Npm.isPulseError;
};

export default global;
export const Pulse = global;
export const Realtime = global.Realtime;
export const PulseError = global.PulseError;
export const isPulseError = global.isPulseError;
// Data, not behaviour: the same values as in the bundle.
export { TRANSITIONS } from '../packages/client/src/states.js';
export { ERROR_STATUS, MAX_MESSAGE_BYTES } from '@openkbs-pulse/protocol';
export type * from '../packages/client/src/index.js';
