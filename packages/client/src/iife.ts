/**
 * Entry of `pulse.js`, the script-tag build: sets the global `Pulse` (with `Pulse.Realtime`,
 * `Pulse.PulseError` and `Pulse.isPulseError`).
 * @module
 */
import { isPulseError, PulseError } from '@openkbs-pulse/protocol';
import { Pulse } from './pulse.js';

export default Object.assign(Pulse, { PulseError, isPulseError });
