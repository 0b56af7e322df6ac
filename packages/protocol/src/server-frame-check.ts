/**
 * `checkServerFrame`: the rules of `parseServerFrame`, compact, for clients that pay for every
 * byte (the script-tag `pulse.js`). It accepts exactly the frames `parseServerFrame` accepts and
 * returns the same value; it only does not say why a frame is refused. A property test
 * (protocol/test/server-frame-check.test.ts) holds the two to that over generated valid and
 * malformed frames, so there is still one rule.
 * @module
 */
import { isErrorCode } from './errors.js';
import type { PresenceMember, ServerFrame } from './frames.js';
import { MAX_MESSAGE_BYTES, MAX_NESTING_DEPTH, MAX_PRESENCE_MEMBERS, utf8ByteLength } from './limits.js';
import { channelNameProblem, isObject, MAX_TIME_MS, parsedJsonProblem, type JsonObject } from './validate.js';

/** A parsed frame before its checks: every read is guarded by a shape check before it. */
type Raw = JsonObject & { data: JsonObject; member: JsonObject; members: JsonObject[]; count: number };

const isName = (value: unknown): boolean => typeof value === 'string' && value !== '';
// validate.ts's isTimestamp, compact: not before the epoch, within Date's range.
const isTime = (value: unknown): boolean => Number.isFinite(value) && (value as number) >= 0 && (value as number) <= MAX_TIME_MS;
/**
 * The last channel name found valid. A stream of frames names the same few channels again and
 * again, so the name check (a regular expression) runs once per change of name, not per frame:
 * the same verdict, less work on the receive path.
 */
// Starts as a value JSON.parse never gives (not `undefined`: a frame without a channel must not match it).
let validChannel: unknown = Symbol();
const isChannel = (name: unknown): boolean => name === validChannel || (!channelNameProblem(name) && ((validChannel = name), true));

/** A message's `data`, read once (as parseServerFrame reads it: a getter could answer differently twice). */
const isEventData = (data: unknown): boolean => isObject(data) && typeof data.type === 'string';

/**
 * Whether `value` is a presence member by the rules of `parsePresenceMember`: a non-empty
 * `userId` and `connectionId`, and `connectedAt` a service time when present.
 * @param value - the member to check.
 * @example
 * ```ts
 * if (isPresenceMember(member)) list.push(member);
 * ```
 */
export const isPresenceMember = (value: unknown): value is PresenceMember =>
  isObject(value) && isName(value.userId) && isName(value.connectionId) && (value.connectedAt === undefined || isTime(value.connectedAt));
const isMember = isPresenceMember;

/**
 * The frame in `text` when it is a valid service frame (the rules of `parseServerFrame`, with its
 * default size limit), else `undefined`. Never throws.
 * @param text - the raw WebSocket message.
 * @param maxBytes - size limit in UTF-8 bytes (the default is `parseServerFrame`'s).
 * @example
 * ```ts
 * const frame = checkServerFrame(event.data);
 * if (frame?.type === 'message') deliver(frame);
 * ```
 */
export function checkServerFrame(text: unknown, maxBytes: number = MAX_MESSAGE_BYTES * 128): ServerFrame | undefined {
  if (typeof text !== 'string' || text.length > maxBytes || (text.length * 3 > maxBytes && utf8ByteLength(text) > maxBytes)) return undefined;
  // The catch also covers the checks: a frame lacking a key reads it from Object.prototype, where
  // a getter (an app's or a library's) may throw; such a frame is refused, never thrown from.
  try {
    const f = JSON.parse(text) as Raw;
    if (!isObject(f) || parsedJsonProblem(f, MAX_NESTING_DEPTH)) return undefined;
    const type = f.type;
    // Read as parseServerFrame reads: a key a frame of this type has no use for is not read (it
    // could reach a getter on Object.prototype), so both take and refuse the same frames.
    if (type === 'pong') return isTime(f.timestamp) ? (f as unknown as ServerFrame) : undefined;
    const channel = f.channel;
    // As parseServerFrame: a code the protocol does not know is `server_error`; nothing else is kept.
    if (type === 'error') {
      return typeof f.error === 'string'
        ? { type, error: f.error, code: isErrorCode(f.code) ? f.code : 'server_error', ...(typeof channel === 'string' && { channel }) }
        : undefined;
    }
    const valid =
      isChannel(channel) &&
      (type === 'message'
        ? isEventData(f.data) && isTime(f.timestamp)
        : type === 'presence' &&
          (f.action === 'sync'
            ? Number.isInteger(f.count) && Array.isArray(f.members) && f.members.length <= Math.min(f.count, MAX_PRESENCE_MEMBERS) && f.members.every(isMember)
            : (f.action === 'enter' || f.action === 'leave' || f.action === 'update') && isMember(f.member)));
    return valid ? (f as unknown as ServerFrame) : undefined;
  } catch {
    return undefined;
  }
}
