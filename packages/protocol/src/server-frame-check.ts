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
import { channelNameProblem, isObject, MAX_TIME_MS, parsedJsonProblem, textRulesOutJsonProblem, type JsonObject } from './validate.js';

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

/** No keys of its own: what `in` finds in it, Object.prototype holds. */
const PLAIN = {};

/**
 * The nesting rule for a frame found to be a message, whose keys were its own (`names`: its
 * channel's and event's lengths). A short frame's text settles it (textRulesOutJsonProblem),
 * which costs the receive path about a third of a walk (callgrind, V8, the bench's 133-character
 * frame: 20,341 instructions a message against 20,636, raw ws 19,470); a longer one is walked.
 * The text spells, each at least once: the keys "type" (twice: the frame's and its data's),
 * "channel", "data" and "timestamp", the string "message", the two names (quoted) and the
 * timestamp (a digit at least): 52 characters and the names, none a bracket.
 */
const messageNestingHolds = (text: string, f: Raw, names: number): boolean =>
  textRulesOutJsonProblem(text, 52 + names, MAX_NESTING_DEPTH) || !parsedJsonProblem(f, MAX_NESTING_DEPTH);

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
    if (!isObject(f)) return undefined;
    // Asked before any read: when Object.prototype has none of the keys a message frame reads,
    // every read below is of the frame's own data (no code of anyone's runs), so the nesting rule
    // may come after the shape. Else the value is walked first, as parseServerFrame walks it: an
    // inherited getter could change the frame, or Object.prototype, while it is read.
    const own = !('type' in PLAIN || 'channel' in PLAIN || 'data' in PLAIN || 'timestamp' in PLAIN);
    if (!own && parsedJsonProblem(f, MAX_NESTING_DEPTH)) return undefined;
    const type = f.type;
    // Read as parseServerFrame reads: a key a frame of this type has no use for is not read (it
    // could reach a getter on Object.prototype), so both take and refuse the same frames.
    if (type === 'message') {
      const channel = f.channel;
      if (!isChannel(channel)) return undefined;
      // Read once (as parseServerFrame reads it: a getter could answer differently twice).
      const data = f.data;
      const event = isObject(data) ? data.type : undefined;
      return typeof event === 'string' && isTime(f.timestamp) && (!own || messageNestingHolds(text, f, (channel as string).length + event.length))
        ? (f as unknown as ServerFrame)
        : undefined;
    }
    if (own && parsedJsonProblem(f, MAX_NESTING_DEPTH)) return undefined;
    if (type === 'pong') return isTime(f.timestamp) ? (f as unknown as ServerFrame) : undefined;
    const channel = f.channel;
    // As parseServerFrame: a code the protocol does not know is `server_error`; nothing else is kept.
    if (type === 'error') {
      return typeof f.error === 'string'
        ? { type, error: f.error, code: isErrorCode(f.code) ? f.code : 'server_error', ...(typeof channel === 'string' && { channel }) }
        : undefined;
    }
    const valid =
      type === 'presence' &&
      isChannel(channel) &&
      (f.action === 'sync'
        ? Number.isInteger(f.count) && Array.isArray(f.members) && f.members.length <= Math.min(f.count, MAX_PRESENCE_MEMBERS) && f.members.every(isMember)
        : (f.action === 'enter' || f.action === 'leave' || f.action === 'update') && isMember(f.member));
    return valid ? (f as unknown as ServerFrame) : undefined;
  } catch {
    return undefined;
  }
}
