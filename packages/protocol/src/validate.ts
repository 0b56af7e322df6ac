import { MAX_CHANNEL_NAME_LENGTH, MAX_EVENT_NAME_LENGTH, MAX_PRESENCE_MEMBERS, MAX_TOKEN_LIFETIME_SECONDS, MAX_USER_ID_LENGTH } from './limits.js';

/** A JSON object (not an array, not null). */
export type JsonObject = { [key: string]: unknown };

/** @internal */
export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The primitive inside a boxed one (`new String('a')`, `new Number(NaN)`, `Object(1n)`), which is
 * what `JSON.stringify` writes for it; any other value as it is.
 * @internal
 */
export const unboxed = (value: unknown): unknown => {
  // By the internal tag, not `instanceof`: a boxed value from another realm (an iframe, `vm`) is
  // one too. Its own valueOf could say anything; the prototype's reads the boxed primitive.
  const box = typeof value === 'object' && value !== null && BOXES[Object.prototype.toString.call(value)];
  if (!box) return value;
  try {
    return box.call(value);
  } catch {
    // A plain object claiming the tag (Symbol.toStringTag): not a box.
    return value;
  }
};

const BOXES: Record<string, () => unknown> = {
  '[object Number]': Number.prototype.valueOf,
  '[object String]': String.prototype.valueOf,
  '[object Boolean]': Boolean.prototype.valueOf,
  '[object BigInt]': BigInt.prototype.valueOf,
};

/**
 * How an error message shows a value someone passed: a string quoted (so `""` and `" "` can be
 * told apart), anything else as `String()` gives it, and its type when it has no string form (a
 * `{ "toString": 1 }` from JSON, a null-prototype object, a throwing `toString`). Never throws:
 * a message about bad input must not itself fail on that input.
 *
 * @param value - anything.
 * @example
 * ```ts
 * shownValue('soon'); // '"soon"'
 * shownValue({ toString: 1 }); // 'a value of type object'
 * ```
 */
export function shownValue(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return `a value of type ${typeof value}`;
  }
}

/**
 * The text of a reason someone gave (a thrown value, a refusal's message): a string as it is,
 * anything else as {@link shownValue} shows it. Never throws, as shownValue.
 *
 * @param value - anything.
 * @example
 * ```ts
 * messageText('token expired'); // 'token expired'
 * messageText(42); // '42'
 * ```
 */
export const messageText = (value: unknown): string => (typeof value === 'string' ? value : shownValue(value));

/**
 * What a thrown value says: an Error's message, anything else as {@link shownValue} shows it.
 * Never throws: what was thrown may itself be a Proxy whose traps throw, or an Error whose
 * message is a getter that throws.
 * @internal
 */
export const thrownText = (error: unknown): string => {
  try {
    return error instanceof Error ? String(error.message) : shownValue(error);
  } catch {
    return shownValue(error);
  }
};

/** @internal */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** @internal */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The latest time a `Date` can hold, in ms since the epoch (ECMAScript's time value range): the
 * latest service time ({@link isTimestamp}), and the local service's fake clock goes no further.
 */
export const MAX_TIME_MS = 8.64e15;

/**
 * Whether `value` is a service time (a message's `timestamp`, a member's `connectedAt`, a publish
 * answer's `timestamp`): ms since the epoch, not before it and within `Date`'s range, so that
 * `new Date(value).toISOString()` in an app (or the CLI) never throws. One rule for frames and
 * the HTTP API's answers.
 * @param value - the time to check.
 * @example
 * ```ts
 * isTimestamp(Date.now()); // true
 * isTimestamp(-5); // false
 * ```
 */
export function isTimestamp(value: unknown): value is number {
  return isFiniteNumber(value) && value >= 0 && value <= MAX_TIME_MS;
}

/**
 * Whether `value` is a count of the protocol (subscribers, connections, presence members): a
 * non-negative integer. One rule for the WebSocket frames and the HTTP API's answers.
 * @internal
 */
export function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

/**
 * Why `count` and `members` are not a presence set, or `undefined` when they are: `count` is
 * exact and the list may be truncated (to at most {@link MAX_PRESENCE_MEMBERS}), so `count` is a
 * count never below the members listed. Reads `count` before `members`, once each. Shared by a presence sync frame and the presence
 * answer of the HTTP API. The members themselves are checked by the caller.
 * @internal
 */
export function presenceCountProblem(count: unknown, members: unknown): string | undefined {
  if (!isCount(count)) return 'count must be a non-negative integer';
  if (!Array.isArray(members)) return 'members must be an array';
  if (members.length > MAX_PRESENCE_MEMBERS) return `members must list at most ${MAX_PRESENCE_MEMBERS} members`;
  return members.length > count ? 'count must not be below the number of members listed' : undefined;
}

// Control characters would corrupt logs and URLs; a lone UTF-16 surrogate (a name cut with
// `.slice()` inside an emoji) becomes U+FFFD in a URL (the connect URL's `channel`), so the
// service would subscribe another name, and a 6-character escape in JSON. One expression finds
// either (no lookbehind: older Safari has none), so a valid name costs one test on hot paths.
// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\0-\x1f\x7f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\0-\x1f\x7f]/;

/** Why `text` (a name) holds characters no name may, or `undefined` when it holds none. */
const charsProblem = (kind: string, text: string): string | undefined =>
  !BAD_CHARS.test(text)
    ? undefined
    : CONTROL_CHARS.test(text)
      ? `${kind} must not contain control characters`
      : `${kind} must be well-formed Unicode (a lone surrogate: cut inside an emoji?)`;

/** Why `name` is not a valid `kind` name of at most `max` characters, or `undefined` when it is. */
const nameProblem = (kind: string, max: number, name: unknown): string | undefined =>
  typeof name !== 'string'
    ? `${kind} must be a string`
    : !name
      ? `${kind} must not be empty`
      : name.length > max
        ? `${kind} must be at most ${max} characters`
        : charsProblem(kind, name);

/**
 * Why `name` is not a valid channel name, or `undefined` when it is.
 * @param name - the channel name to check (anything: it is checked to be a string).
 * @example
 * ```ts
 * const problem = channelNameProblem(input);
 * if (problem) throw new Error(problem); // e.g. "channel must not be empty"
 * ```
 */
export function channelNameProblem(name: unknown): string | undefined {
  return nameProblem('channel', MAX_CHANNEL_NAME_LENGTH, name);
}

/**
 * Why `name` is not a valid event name, or `undefined` when it is.
 * @param name - the event name to check (anything: it is checked to be a string).
 * @example
 * ```ts
 * eventNameProblem('new_message'); // undefined: valid
 * eventNameProblem(''); // 'event must not be empty'
 * ```
 */
export function eventNameProblem(name: unknown): string | undefined {
  return nameProblem('event', MAX_EVENT_NAME_LENGTH, name);
}

/**
 * Why a token cannot be minted for `userId` with lifetime `expiresIn` (seconds; `undefined`: the
 * default), or `undefined` when it can. One rule for the server SDK's `getToken` and the
 * service's `createPulseToken`: a token either could not identify anyone, could never connect
 * (a userId too long for the connect URL), or is expired when it arrives (a lifetime under 1 s,
 * which is counted in whole seconds).
 * @param userId - the user the token is for.
 * @param expiresIn - the lifetime asked for, in seconds.
 * @example
 * ```ts
 * tokenRequestProblem('alice', 0.5); // 'expiresIn must be a number of seconds from 1 to 31536000 (got 0.5)'
 * ```
 */
export function tokenRequestProblem(userId: unknown, expiresIn?: unknown): string | undefined {
  if (typeof userId !== 'string' || !userId.trim()) return 'userId must be a non-empty string';
  if (userId.length > MAX_USER_ID_LENGTH) return `userId must be at most ${MAX_USER_ID_LENGTH} characters (got ${userId.length}): pass an id, not a record`;
  // Each would travel as a 6-character escape: 1,024 of them made a token too long to connect with.
  const chars = charsProblem('userId', userId);
  if (chars) return chars;
  return expiresIn === undefined || isTokenLifetime(expiresIn) ? undefined : `expiresIn must be a number of seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS} (got ${shownValue(expiresIn)})`;
}

/**
 * The HS256 key of a `secret` (a string is its UTF-8 bytes), or `undefined` when it is not a
 * non-empty string or Uint8Array ({@link SECRET_RULE}): WebCrypto refuses an empty key, so not one
 * token could be signed or verified with it. One rule for the local service's `secret` option and
 * the server SDK's `verifyToken`.
 * @internal
 */
export const secretKeyBytes = (secret: unknown): Uint8Array | undefined => {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return key instanceof Uint8Array && key.length > 0 ? key : undefined;
};

/** What {@link secretKeyBytes} takes, said in every refusal of a secret. @internal */
export const SECRET_RULE = 'secret must be a non-empty string or Uint8Array';

/**
 * Whether `seconds` is a lifetime a token may be minted with: from 1 s (counted in whole seconds,
 * a shorter one is expired when it arrives) to {@link MAX_TOKEN_LIFETIME_SECONDS}. The lifetime
 * part of {@link tokenRequestProblem}, for options that set a default lifetime.
 * @param seconds - the lifetime asked for.
 * @example
 * ```ts
 * isTokenLifetime(3600); // true
 * isTokenLifetime(0.5); // false
 * ```
 */
export const isTokenLifetime = (seconds: unknown): seconds is number =>
  typeof seconds === 'number' && seconds >= 1 && seconds <= MAX_TOKEN_LIFETIME_SECONDS;

/**
 * Why `data` cannot be the payload of a publish to `event`, or `undefined` when it can.
 * The service merges the event name into the payload as `data.type`, so the payload must be
 * a JSON object whose own `type`, if any, equals the event name (otherwise it would be lost).
 * @param event - the event name the data is published with.
 * @param data - the payload to check.
 * @example
 * ```ts
 * publishDataProblem('message', [1, 2]); // 'data must be a JSON object (...)'
 * ```
 */
export function publishDataProblem(event: string, data: unknown): string | undefined {
  try {
    return dataShapeProblem(event, data);
  } catch (error) {
    return unreadableData(error);
  }
}

/**
 * {@link publishDataProblem}'s reads, which run the app's code when data has getters or is a Proxy
 * (Array.isArray throws for a revoked one, the tag read of unboxed runs the get trap): what that
 * code throws is let through, for publishProblem to keep as its problem's cause.
 * @internal
 */
export function dataShapeProblem(event: string, data: unknown): string | undefined {
  if (data === undefined || data === null) return undefined;
  // A boxed string or number is an object here, but travels as the primitive inside it.
  if (!isObject(data) || unboxed(data) !== data) return 'data must be a JSON object (it gets the event name as data.type)';
  // The service gets the JSON of data, and a toJSON (a Date's, a class's) decides what that is.
  if (typeof data.toJSON === 'function') return 'data has a toJSON method: pass the plain object to send';
  // An undefined `type` is left out of the JSON (and the service sets it), so it is no other type.
  if (data.type !== undefined && data.type !== event) return 'data.type is reserved for the event name';
  return undefined;
}

/**
 * The problem of data whose getter or Proxy trap threw `error` while it was checked.
 * @internal
 */
export const unreadableData = (error: unknown): string => `data could not be read: ${thrownText(error)}`;

/**
 * The frame payload for `event`: `data` with `type` set to the event name.
 * @param event - the event name, which becomes `type`.
 * @param data - the published data (a JSON object), or nothing.
 * @example
 * ```ts
 * mergeEventIntoData('new_message', { text: 'hi' }); // { text: 'hi', type: 'new_message' }
 * ```
 */
export function mergeEventIntoData(
  event: string,
  data: JsonObject | null | undefined,
): JsonObject & {
  /** The event name. */
  type: string;
} {
  // Spreading null or undefined adds nothing.
  return { ...data, type: event };
}

/**
 * What a parsed JSON value holds that no frame may: `'depth'` when it nests more than `max`
 * levels (the value itself counting as one when it is an object or array), `'__proto__'` when an
 * object at any depth has an own `__proto__` key (`JSON.parse` makes one from the text
 * `"__proto__"` or an escaped spelling of it; merged elsewhere it could pollute prototypes);
 * `undefined` when neither. Whichever the walk meets first is named. Only what `JSON.parse` kept
 * is judged: of duplicate keys the last wins, and an earlier copy nested deeper is not there to
 * count (it reaches nobody); keys inherited from Object.prototype are not the value's, and are
 * never read (a getter there could throw).
 *
 * The one nesting rule: incoming frames (`parseServerFrame`, `checkServerFrame`, `parseClientAction`)
 * and outgoing data (`jsonValueProblem`, on the JSON it travels as) are all counted by it. One walk
 * of the parsed value, not scans of its text: on the receive path, where every frame is checked,
 * it costs about half the instructions of counting brackets and searching the text for `__proto__`
 * and `\u` (callgrind, V8, a 130-character message frame), and strings and escapes need no rule.
 * It goes at most `max` levels down, so its own depth is bounded. (checkServerFrame settles a short
 * message frame from its text, where two searches are cheaper still: textRulesOutJsonProblem.)
 * @internal
 */
export const parsedJsonProblem = (value: unknown, max: number): JsonProblem | undefined =>
  typeof value === 'object' && value !== null ? walk(value, max, prototypeHasKeys()) : undefined;

type JsonProblem = 'depth' | '__proto__';

/**
 * Whether the JSON `text` surely holds neither problem {@link parsedJsonProblem} finds in its
 * value, judged from the text alone; false means "walk the value". Sound, not complete:
 * - an own `__proto__` key is spelled in the text with `__`, or with an escape (`\u005f`), so a
 *   text with neither has none;
 * - nesting over `max` levels takes 2 × (max + 1) brackets (each level opens and closes), and the
 *   text has no room for them beside `plain` characters the caller knows to be other tokens
 *   (keys and values it read from the value, each spelled in the text at least once).
 * @internal
 */
export const textRulesOutJsonProblem = (text: string, plain: number, max: number): boolean =>
  text.length - plain < 2 * (max + 1) && !text.includes('__') && !text.includes('\\');

/** No keys of its own: `for...in` over it lists what is enumerable on Object.prototype. */
const PLAIN = {};

/**
 * Whether something (an old library, a polyfill) added enumerable keys to Object.prototype, which
 * `for...in` lists for every object. Asked once per walk: then the walk reads own keys only, and
 * otherwise it need not ask per key (that cost about 5 % of the client's receive path in V8,
 * measured with callgrind).
 */
const prototypeHasKeys = (): boolean => {
  for (const _ in PLAIN) return true;
  return false;
};

/**
 * {@link parsedJsonProblem} of an object or array; `inherited`: Object.prototype has enumerable
 * keys, not to be read. Written for V8's optimiser (counted with callgrind on the client's receive
 * path): only objects recurse, and each loop returns as soon as it finds a problem; a version with
 * a helper per member and a `problem` variable carried through the loops took about 190
 * instructions more per message frame.
 */
const walk = (value: object, max: number, inherited: boolean): JsonProblem | undefined => {
  if (max < 1) return 'depth';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) {
        const problem = walk(item, max - 1, inherited);
        if (problem) return problem;
      }
    }
    return undefined;
  }
  // JSON.parse makes every key own and enumerable; for...in walks them without an array of keys.
  for (const key in value) {
    if (inherited && !Object.hasOwn(value, key)) continue;
    if (key === '__proto__') return key;
    const item = (value as JsonObject)[key];
    if (typeof item === 'object' && item !== null) {
      const problem = walk(item, max - 1, inherited);
      if (problem) return problem;
    }
  }
  return undefined;
};
