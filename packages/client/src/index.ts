/**
 * `openkbs-pulse`: realtime channels, events and presence for OpenKBS Elastic Pulse, in browsers
 * and Node. Two faces over one connection engine: `Pulse` (default export) and `Pulse.Realtime`.
 * The faces do not know each other: `Pulse.Realtime` is attached here.
 * @packageDocumentation
 */
import { isPulseError, PulseError } from '@openkbs-pulse/protocol';
import { Pulse as PulseFace } from './pulse.js';
import { Realtime } from './realtime.js';

/**
 * The OpenKBS Elastic Pulse client, with the Ably-style face as `Pulse.Realtime`.
 *
 * @example
 * ```ts
 * import Pulse from 'openkbs-pulse';
 * const pulse = new Pulse({ kbId, token });
 * pulse.channel('chat').subscribe('message', (data) => console.log(data));
 * const realtime = new Pulse.Realtime({ kbId, token });
 * ```
 */
export class Pulse extends PulseFace {
  /** The Ably-style face: `new Pulse.Realtime({ kbId, token })`. */
  declare static Realtime: typeof Realtime;
  /** The error class, as on the script tag's global `Pulse` (code moved from a script tag keeps working). */
  declare static PulseError: typeof PulseError;
  /** Whether a value is a `PulseError` (also across copies of the package), as on the script tag's global. */
  declare static isPulseError: typeof isPulseError;
}
Object.assign(Pulse, { Realtime, PulseError, isPulseError });

export default Pulse;
export { Realtime };
export type {
  PulseOptions,
  PulseChannel,
  PulsePresence,
  EventMap,
  DefaultEvents,
  Unsubscribe,
  MessageListener,
  Delivered,
  AnyDelivered,
} from './pulse.js';
export type {
  RealtimeOptions,
  RealtimeChannel,
  RealtimePresence,
  RealtimeMessage,
  RealtimeMember,
  RealtimeConnection,
  RealtimeState,
  ConnectionEvent,
  PresenceAction,
} from './realtime.js';
export type { EngineOptions, StateChange } from './engine.js';
export type { ConnectionState, EngineState, EngineEvent, Effect, Transition } from './states.js';
export { TRANSITIONS } from './states.js';
export type { AuthCallback, AuthResult } from './auth.js';
export type {
  WebSocketLike,
  WebSocketLikeConstructor,
  WebSocketMessageEventLike,
  WebSocketCloseEventLike,
  HttpResponseLike,
  UpgradeResponseListener,
  NodeMessageListener,
  NodeCloseListener,
  NodeErrorListener,
} from './transport.js';
export { PulseError, isPulseError, ERROR_STATUS, MAX_MESSAGE_BYTES } from '@openkbs-pulse/protocol';
export type { PulseErrorOptions, ErrorCode, MessageFrame, PresenceMember, JsonObject, Clock, Region } from '@openkbs-pulse/protocol';
