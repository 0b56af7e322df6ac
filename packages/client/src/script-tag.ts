/**
 * Whether this code runs as `pulse.js`, the script-tag bundle (its build defines
 * `__PULSE_SCRIPT_TAG__`; the npm build and tests do not). pulse.js has a hard size budget, so
 * what cannot happen in a browser (a refused upgrade's HTTP status and body, which only `ws`
 * exposes) and the table of error codes are left out of it: see the README ("Size").
 * @module
 */
declare const __PULSE_SCRIPT_TAG__: boolean | undefined;

/** True in pulse.js only (a constant there, so the minifier drops what it guards). */
export const SCRIPT_TAG: boolean = typeof __PULSE_SCRIPT_TAG__ !== 'undefined';
