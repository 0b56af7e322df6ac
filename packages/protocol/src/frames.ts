/**
 * The WebSocket wire protocol: what a client sends (actions) and what the service sends (frames).
 * Every frame is one JSON text message.
 * @module
 */
import { isErrorCode, type ErrorCode } from './errors.js';
import { MAX_MESSAGE_BYTES, MAX_NESTING_DEPTH, utf8ByteLength } from './limits.js';
import { fail, ok, type ParseResult } from './result.js';
import {
  channelNameProblem,
  eventNameProblem,
  isNonEmptyString,
  isObject,
  isTimestamp,
  mergeEventIntoData,
  parsedJsonProblem,
  presenceCountProblem,
  publishDataProblem,
  type JsonObject,
} from './validate.js';

// ---------------------------------------------------------------------------------------------
// Client → service

/** Subscribe this connection to a channel. */
export interface SubscribeAction {
  /** Discriminant of the action. */
  action: 'subscribe';
  /** The channel to receive messages of. */
  channel: string;
}
/** Stop receiving a channel's messages. */
export interface UnsubscribeAction {
  /** Discriminant of the action. */
  action: 'unsubscribe';
  /** The channel to stop receiving. */
  channel: string;
}
/** Publish `event` with `data` to every subscriber of `channel` (the sender included). */
export interface PublishAction {
  /** Discriminant of the action. */
  action: 'publish';
  /** The channel to publish to. */
  channel: string;
  /** Event name; subscribers receive it as `data.type`. */
  event: string;
  /** A JSON object; the service adds `type: event` to it. */
  data?: JsonObject | null;
}
/** Ask for a presence `sync` frame of `channel`. */
export interface PresenceRequestAction {
  /** Discriminant of the action. */
  action: 'presence';
  /** The channel whose presence set is wanted. */
  channel: string;
}
/** Enter the presence set of `channel`, with optional member data. */
export interface PresenceEnterAction {
  /** Discriminant of the action. */
  action: 'presence_enter';
  /** The channel to enter. */
  channel: string;
  /** Member data shown to the other members (any JSON value). */
  data?: unknown;
}
/** Replace this connection's member data in `channel`. */
export interface PresenceUpdateAction {
  /** Discriminant of the action. */
  action: 'presence_update';
  /** The channel this connection is present in. */
  channel: string;
  /** The new member data; replaces the previous data (not merged). */
  data?: unknown;
}
/** Leave the presence set of `channel`. */
export interface PresenceLeaveAction {
  /** Discriminant of the action. */
  action: 'presence_leave';
  /** The channel to leave. */
  channel: string;
}
/** Heartbeat: the service answers with a `pong` frame. */
export interface PingAction {
  /** Discriminant of the action. */
  action: 'ping';
}

/** Any client → service action. */
export type ClientAction =
  | SubscribeAction
  | UnsubscribeAction
  | PublishAction
  | PresenceRequestAction
  | PresenceEnterAction
  | PresenceUpdateAction
  | PresenceLeaveAction
  | PingAction;

/** The `action` names a client can send. */
export type ClientActionName = ClientAction['action'];

/** All client action names. */
export const CLIENT_ACTIONS: readonly ClientActionName[] = /* @__PURE__ */ Object.freeze([
  'subscribe',
  'unsubscribe',
  'publish',
  'presence',
  'presence_enter',
  'presence_update',
  'presence_leave',
  'ping',
]);

// ---------------------------------------------------------------------------------------------
// Service → client

/** A member of a channel's presence set. */
export interface PresenceMember {
  /** The user id the connection's token was minted for. */
  userId: string;
  /** Unique per connection: one user can be present from several tabs. */
  connectionId: string;
  /**
   * When the service accepted this member's connection (ms since epoch), as in the seed's sync
   * example: not when it entered the presence set, so leaving and entering again, or updating,
   * keeps it. The hosted service may omit it on enter/leave.
   */
  connectedAt?: number;
  /** Data given to `presence_enter` / `presence_update`. */
  data?: unknown;
}

/** The payload of a message frame: the published data with the event name as `type`. */
export type MessageData = JsonObject & {
  /** The event name the message was published with. */
  type: string;
};

/** A published message, delivered to every subscriber of the channel. */
export interface MessageFrame {
  /** Discriminant of the frame. */
  type: 'message';
  /** The channel the message was published to. */
  channel: string;
  /** The published data, with the event name as `type`. */
  data: MessageData;
  /** When the service accepted the publish (ms since epoch). */
  timestamp: number;
}
/** The full presence set (at most {@link MAX_PRESENCE_MEMBERS} listed, `count` exact). */
export interface PresenceSyncFrame {
  /** Discriminant of the frame. */
  type: 'presence';
  /** A full snapshot, as opposed to a single change. */
  action: 'sync';
  /** The channel the presence set belongs to. */
  channel: string;
  /** Exact number of members, even when `members` is truncated. */
  count: number;
  /** The members, at most {@link MAX_PRESENCE_MEMBERS} of them. */
  members: PresenceMember[];
}
/** One member entered, left or updated its data. */
export interface PresenceChangeFrame {
  /** Discriminant of the frame. */
  type: 'presence';
  /** What happened to `member`. */
  action: 'enter' | 'leave' | 'update';
  /** The channel the presence set belongs to. */
  channel: string;
  /** The member that changed (on `update`, with its new data). */
  member: PresenceMember;
}
/** Answer to `ping`. */
export interface PongFrame {
  /** Discriminant of the frame. */
  type: 'pong';
  /** Service time when it answered (ms since epoch). */
  timestamp: number;
}
/** The service rejected an action. The connection stays open. */
export interface ErrorFrame {
  /** Discriminant of the frame. */
  type: 'error';
  /** Human-readable text. */
  error: string;
  /** Stable code. The hosted service may omit it; the parser then sets `server_error`. */
  code: ErrorCode;
  /** The channel of the rejected action, when it had one. */
  channel?: string;
}

/** A presence frame. */
export type PresenceFrame = PresenceSyncFrame | PresenceChangeFrame;

/** Any service → client frame. */
export type ServerFrame = MessageFrame | PresenceFrame | PongFrame | ErrorFrame;

/** The `type` names of service frames. */
export type ServerFrameType = ServerFrame['type'];

// ---------------------------------------------------------------------------------------------
// Parsing

function parseJson(text: unknown, limitBytes: number): ParseResult<unknown> & { text?: string } {
  if (typeof text !== 'string') return fail('invalid_message', 'frame must be a text message');
  // The UTF-16 length bounds the UTF-8 size from below, so huge frames are refused before counting.
  // At most 3 UTF-8 bytes per UTF-16 unit: short frames (nearly all) are never counted.
  if (text.length > limitBytes || (text.length * 3 > limitBytes && utf8ByteLength(text) > limitBytes)) {
    return fail('message_too_large', `frame exceeds ${limitBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('invalid_message', 'frame is not valid JSON');
  }
  if (!isObject(value)) return fail('invalid_message', 'frame must be a JSON object');
  // One walk of the parsed value finds both (the rule checkServerFrame uses too).
  const problem = parsedJsonProblem(value, MAX_NESTING_DEPTH);
  if (problem === 'depth') return fail('invalid_message', `frame is nested too deeply (over ${MAX_NESTING_DEPTH} levels)`);
  if (problem) return fail('invalid_message', 'frame must not contain a "__proto__" key');
  return ok(value);
}

/** The frame's `channel`, checked with {@link channelNameProblem} (for actions and service frames alike). */
function channelOf(frame: JsonObject): ParseResult<string> {
  // Read once, as checkServerFrame reads it (a getter could answer differently the second time).
  const channel = frame.channel;
  const problem = channelNameProblem(channel);
  return problem ? fail('invalid_message', problem) : ok(channel as string);
}

/**
 * Validates one text frame sent by a client. Never throws.
 * @param text - The raw WebSocket message.
 * @param maxBytes - Size limit in UTF-8 bytes.
 * @example
 * ```ts
 * const action = parseClientAction(message);
 * if (!action.ok) return sendError(action.code, action.message);
 * ```
 */
export function parseClientAction(text: unknown, maxBytes: number = MAX_MESSAGE_BYTES): ParseResult<ClientAction> {
  const parsed = parseJson(text, maxBytes);
  if (!parsed.ok) return parsed;
  // As parseServerFrame: a key the action lacks is read from Object.prototype, where a getter may
  // throw; such an action is refused, never thrown from (the service's frame handler is total).
  try {
    return actionShape(parsed.value as JsonObject);
  } catch {
    return fail('invalid_message', 'reading the action threw (a getter on Object.prototype?)');
  }
}

/** The action in a parsed frame that passed parseJson's checks (may throw: see parseClientAction). */
function actionShape(frame: JsonObject): ParseResult<ClientAction> {
  const action = frame.action;
  if (action === 'ping') return ok({ action: 'ping' });
  if (typeof action !== 'string') return fail('invalid_message', 'action must be a string');
  if (!(CLIENT_ACTIONS as readonly string[]).includes(action)) {
    return fail('invalid_message', `unknown action "${action.slice(0, 40)}"`);
  }
  const channel = channelOf(frame);
  if (!channel.ok) return channel;
  switch (action as ClientActionName) {
    case 'subscribe':
    case 'unsubscribe':
    case 'presence':
    case 'presence_leave':
      return ok({ action, channel: channel.value } as ClientAction);
    case 'presence_enter':
    case 'presence_update':
      return ok({ action, channel: channel.value, data: frame.data } as ClientAction);
    case 'publish': {
      const eventProblem = eventNameProblem(frame.event);
      if (eventProblem) return fail('invalid_message', eventProblem);
      const event = frame.event as string;
      const dataProblem = publishDataProblem(event, frame.data);
      if (dataProblem) return fail('invalid_message', dataProblem);
      return ok({ action: 'publish', channel: channel.value, event, data: frame.data as JsonObject | null | undefined });
    }
    default:
      return fail('invalid_message', 'unknown action');
  }
}

/**
 * Validates a presence member object.
 * @param value - the member as received (anything).
 * @example
 * ```ts
 * const member = parsePresenceMember(frame.member);
 * if (member.ok) show(member.value.userId);
 * ```
 */
export function parsePresenceMember(value: unknown): ParseResult<PresenceMember> {
  if (!isObject(value)) return fail('invalid_message', 'member must be an object');
  if (!isNonEmptyString(value.userId)) return fail('invalid_message', 'member.userId must be a non-empty string');
  if (!isNonEmptyString(value.connectionId)) {
    return fail('invalid_message', 'member.connectionId must be a non-empty string');
  }
  if (value.connectedAt !== undefined && !isTimestamp(value.connectedAt)) {
    return fail('invalid_message', 'member.connectedAt must be a time in ms since the epoch, within the range of a Date');
  }
  return ok(value as unknown as PresenceMember);
}

/**
 * Validates one text frame sent by the service. Never throws. Checks shapes without copying,
 * with the same rules as for client actions where they overlap: channel names as
 * {@link channelNameProblem}, timestamps non-negative, a sync `count` a non-negative integer
 * not below the number of members listed, nesting at most {@link MAX_NESTING_DEPTH} levels.
 * @example
 * ```ts
 * const frame = parseServerFrame(event.data);
 * if (!frame.ok) console.warn(frame.message); else handle(frame.value);
 * ```
 * @param text - The raw WebSocket message.
 * @param maxBytes - Size limit; the service never sends more than a client may publish plus a
 * presence sync of {@link MAX_PRESENCE_MEMBERS} members, so the default is generous.
 */
export function parseServerFrame(text: unknown, maxBytes: number = MAX_MESSAGE_BYTES * 128): ParseResult<ServerFrame> {
  const parsed = parseJson(text, maxBytes);
  if (!parsed.ok) return parsed;
  // A frame lacking a key reads it from Object.prototype, where a getter (an app's or a
  // library's) may throw: such a frame is refused, never thrown from.
  try {
    return frameShape(parsed.value as JsonObject);
  } catch {
    return fail('invalid_message', 'reading the frame threw (a getter on Object.prototype?)');
  }
}

/** {@link parseServerFrame} of a parsed object within the nesting rule. */
function frameShape(frame: JsonObject): ParseResult<ServerFrame> {
  switch (frame.type) {
    case 'message': {
      const channel = channelOf(frame);
      if (!channel.ok) return channel;
      const data = frame.data;
      if (!isObject(data) || typeof data.type !== 'string') {
        return fail('invalid_message', 'message.data must be an object with a string type');
      }
      if (!isTimestamp(frame.timestamp)) return fail('invalid_message', 'message.timestamp must be a time in ms since the epoch, within the range of a Date');
      return ok(frame as unknown as MessageFrame);
    }
    case 'presence': {
      const channel = channelOf(frame);
      if (!channel.ok) return channel;
      if (frame.action === 'sync') {
        // The HTTP API's presence answer follows the same rule (presenceCountProblem).
        const problem = presenceCountProblem(frame.count, frame.members);
        if (problem) return fail('invalid_message', `presence.${problem}`);
        for (const member of frame.members as unknown[]) {
          const checked = parsePresenceMember(member);
          if (!checked.ok) return checked;
        }
        return ok(frame as unknown as PresenceSyncFrame);
      }
      if (frame.action === 'enter' || frame.action === 'leave' || frame.action === 'update') {
        const member = parsePresenceMember(frame.member);
        if (!member.ok) return member;
        return ok(frame as unknown as PresenceChangeFrame);
      }
      return fail('invalid_message', 'presence.action must be sync, enter, leave or update');
    }
    case 'pong':
      if (!isTimestamp(frame.timestamp)) return fail('invalid_message', 'pong.timestamp must be a time in ms since the epoch, within the range of a Date');
      return ok(frame as unknown as PongFrame);
    case 'error': {
      if (typeof frame.error !== 'string') return fail('invalid_message', 'error.error must be a string');
      const code: ErrorCode = isErrorCode(frame.code) ? frame.code : 'server_error';
      const channel = frame.channel;
      // A literal, not an assignment: `result.channel = …` would call a setter inherited from
      // Object.prototype (or throw, for a getter without one) instead of making an own key.
      const result: ErrorFrame = { type: 'error', error: frame.error, code, ...(typeof channel === 'string' && { channel }) };
      return ok(result);
    }
    default:
      return fail('invalid_message', 'unknown frame type');
  }
}

/**
 * Serializes a frame or action (one place, so encoding stays consistent).
 * @param frame - a client action or a service frame.
 * @example
 * ```ts
 * socket.send(encodeFrame({ action: 'subscribe', channel: 'chat' }));
 * ```
 */
export function encodeFrame(frame: ClientAction | ServerFrame): string {
  return JSON.stringify(frame);
}

/** A 13-digit timestamp, standing for the one the service adds to a message frame. */
const FRAME_TIMESTAMP = 1_704_067_200_000;

/**
 * Size in UTF-8 bytes of the {@link MessageFrame} the service delivers for a publish of
 * `event` with `data` to `channel`: `{ type: 'message', channel, data: { ...data, type: event },
 * timestamp }`, counting a 13-digit timestamp (every date from 2001 to 2286), or `timestamp`
 * when given: the service passes the time it stamps, so that a clock of its own (a test's fake
 * clock, in the year 3000) never makes the frame it sends larger than the one it counted. This is
 * the size {@link MAX_MESSAGE_BYTES} applies to for publishes over HTTP, whose request body is
 * not a frame.
 * `data` must be JSON-serializable: this throws what `JSON.stringify` throws (a `TypeError` for
 * a `BigInt` or a cycle).
 *
 * @param channel - the channel published to.
 * @param event - the event name.
 * @param data - the published data (a JSON object), or nothing.
 * @param timestamp - the time the frame is stamped with (ms since the epoch), if known.
 * @example
 * ```ts
 * if (messageFrameBytes('chat', 'new_message', { text }) > MAX_MESSAGE_BYTES) refuse();
 * ```
 */
export function messageFrameBytes(channel: string, event: string, data?: JsonObject | null, timestamp = FRAME_TIMESTAMP): number {
  const frame: MessageFrame = { type: 'message', channel, data: mergeEventIntoData(event, data), timestamp };
  return utf8ByteLength(encodeFrame(frame));
}
