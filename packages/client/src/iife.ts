/**
 * Entry of `pulse.js`, the script-tag build: sets the global `Pulse` (with `Pulse.Realtime`,
 * `Pulse.PulseError` and `Pulse.isPulseError`). The same code as the npm build: nothing is left
 * out for size.
 * @module
 */
import { Pulse } from './index.js';

// `Pulse.PulseError` and `Pulse.isPulseError` come with the class (index.ts), as in the npm build.
export default Pulse;
