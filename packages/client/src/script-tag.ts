/**
 * Whether this code runs as `pulse.js`, the script-tag bundle (its build defines
 * `__PULSE_SCRIPT_TAG__`; the npm build and tests do not). pulse.js has a hard size budget, so a
 * few checks that help while developing more than at run time are left out of it: see the
 * README ("Size") for the list.
 * @module
 */
declare const __PULSE_SCRIPT_TAG__: boolean | undefined;

/** True in pulse.js only (a constant there, so the minifier drops what it guards). */
export const SCRIPT_TAG: boolean = typeof __PULSE_SCRIPT_TAG__ !== 'undefined';
