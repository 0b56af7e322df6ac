/**
 * Entry of `pulse.js`, the script-tag build: sets the global `Pulse` (with `Pulse.Realtime`,
 * `Pulse.PulseError` and `Pulse.isPulseError`). The same code as the npm build: nothing is left
 * out for size.
 * @module
 */
import { isPulseError, PulseError } from '@openkbs-pulse/protocol';
import { Pulse } from './index.js';

export default Object.assign(Pulse, { PulseError, isPulseError });
