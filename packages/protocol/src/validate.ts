import { MAX_CHANNEL_NAME_LENGTH, MAX_EVENT_NAME_LENGTH } from './limits.js';

/** A JSON object (not an array, not null). */
export type JsonObject = { [key: string]: unknown };

/** @internal */
export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** @internal */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** @internal */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

// Control characters would corrupt logs and URLs; names are otherwise free-form.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\0-\x1f\x7f]/;

/** Why `name` is not a valid `kind` name of at most `max` characters, or `undefined` when it is. */
const nameProblem = (kind: 'channel' | 'event', max: number, name: unknown): string | undefined =>
  typeof name !== 'string'
    ? `${kind} must be a string`
    : !name
      ? `${kind} must not be empty`
      : name.length > max
        ? `${kind} must be at most ${max} characters`
        : CONTROL_CHARS.test(name)
          ? `${kind} must not contain control characters`
          : undefined;

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
  if (data === undefined || data === null) return undefined;
  if (!isObject(data)) return 'data must be a JSON object (it gets the event name as data.type)';
  // The service gets the JSON of data, and a toJSON (a Date's, a class's) decides what that is.
  if (typeof data.toJSON === 'function') return 'data has a toJSON method: pass the plain object to send';
  if ('type' in data && data.type !== event) return 'data.type is reserved for the event name';
  return undefined;
}

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
 * Whether `text` holds more than `max` opening brackets (`{` or `[`, strings included): a text
 * with fewer cannot nest deeper than `max`. Counted with `indexOf`, which runs natively, so the
 * character-by-character scan below is only needed for texts with many brackets.
 */
const hasMoreBrackets = (text: string, max: number): boolean => {
  let count = 0;
  for (const bracket of '{[') {
    for (let i = -1; (i = text.indexOf(bracket, i + 1)) >= 0; ) if (++count > max) return true;
  }
  return false;
};

/**
 * Whether valid JSON `text` nests objects and arrays more than `max` levels deep. One scan of
 * the text, skipping strings; a text shorter than two brackets per level is never that deep.
 * @internal
 */
export const nestingExceeds = (text: string, max: number): boolean => {
  if (text.length < 2 * (max + 1) || !hasMoreBrackets(text, max)) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    // `| 0x20` maps [ to { and ] to }, and no other character of valid JSON outside strings to either.
    const c = text.charCodeAt(i) | 0x20;
    if (c === 0x22 /* " */) {
      // Skip the string; a backslash escapes the next character (\" and \\ included).
      while (++i < text.length) {
        const s = text.charCodeAt(i);
        if (s === 0x22) break;
        if (s === 0x5c /* \ */) i++;
      }
    } else if (c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */) depth--;
  }
  return false;
};

/**
 * Whether JSON text carries a key that could pollute prototypes once the object is merged
 * elsewhere (`__proto__`). Checked on the raw text first, so the common case costs one scan.
 * The walk has no depth cap of its own: callers refuse text nested deeper than
 * `MAX_NESTING_DEPTH` first (see {@link nestingExceeds}), which bounds it.
 * @internal
 */
export const hasPollutingKey = (text: string, parsed: unknown): boolean =>
  // A \u escape can spell the key without its literal text ("\u005f_proto__").
  (text.includes('__proto__') || text.includes('\\u')) && containsProtoKey(parsed);

/** Whether a parsed JSON value has an own `__proto__` key at any depth (JSON.parse makes every key own and enumerable). */
const containsProtoKey = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  (Array.isArray(value)
    ? value.some(containsProtoKey)
    : Object.prototype.hasOwnProperty.call(value, '__proto__') || Object.values(value).some(containsProtoKey));
