/**
 * Entry of `pulse.js`, the script-tag build: sets the global `Pulse` (with `Pulse.Realtime`,
 * `Pulse.PulseError` and `Pulse.isPulseError`).
 * @module
 */
import { PulseError } from '@openkbs-pulse/protocol';
import { Pulse } from './pulse.js';

/** `instanceof` only: the protocol's `isPulseError` needs the table of codes, left out of pulse.js for size. */
const isPulseError = (value: unknown): value is PulseError => value instanceof PulseError;

export default Object.assign(Pulse, { PulseError, isPulseError });
