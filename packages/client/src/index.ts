/**
 * `openkbs-pulse`: realtime channels, events and presence for OpenKBS Elastic Pulse, in browsers
 * and Node. Two faces over one connection engine: `Pulse` (default export) and `Pulse.Realtime`.
 * @packageDocumentation
 */
import { Pulse } from './pulse.js';

export default Pulse;
export { Pulse };
export type { PulseOptions, PulseChannel, PulsePresence, EventMap, DefaultEvents, Unsubscribe, MessageListener } from './pulse.js';
export { Realtime } from './realtime.js';
export type {
  RealtimeOptions,
  RealtimeChannel,
  RealtimePresence,
  RealtimeMessage,
  RealtimeMember,
  RealtimeConnection,
  ConnectionEvent,
  PresenceAction,
} from './realtime.js';
export type { EngineOptions, StateChange } from './engine.js';
export type { ConnectionState, StateInfo } from './states.js';
export { STATES } from './states.js';
export type { AuthCallback, AuthResult } from './auth.js';
export type {
  WebSocketLike,
  WebSocketLikeConstructor,
  WebSocketMessageEventLike,
  WebSocketCloseEventLike,
  HttpResponseLike,
} from './transport.js';
export { PulseError, isPulseError, ERROR_STATUS, MAX_MESSAGE_BYTES } from '@openkbs-pulse/protocol';
export type { PulseErrorOptions, ErrorCode, MessageFrame, PresenceMember, JsonObject, Clock, Region } from '@openkbs-pulse/protocol';
