/**
 * What may be sent: the one check of a publish and of presence data, used by the client before
 * it sends, by the server SDK before it calls the HTTP API, and by the local service on both of
 * its publish paths (WebSocket and HTTP). A value that passes here is never refused by the
 * service for its shape, depth or size.
 * @module
 */
import { messageFrameBytes, encodeFrame } from './frames.js';
import { MAX_MESSAGE_BYTES, MAX_NESTING_DEPTH, utf8ByteLength } from './limits.js';
import { channelNameProblem, dataShapeProblem, eventNameProblem, isObject, parsedJsonProblem, thrownText, unboxed, unreadableData, type JsonObject } from './validate.js';

/** Why something cannot be sent, with the code to reject it with. */
export interface SendProblem {
  /** `invalid_argument` for a bad name or value, `message_too_large` over {@link MAX_MESSAGE_BYTES}. */
  code: 'invalid_argument' | 'message_too_large';
  /** What is wrong and how to fix it, for people. */
  message: string;
  /** What a getter or Proxy trap of the data threw, when that is why it is refused. */
  cause?: unknown;
}

/**
 * Deepest nesting of a publish's `data` (the data object counting as one level): the frames that
 * carry it (`{ action, data }` and `{ type, data }`) add one level, and a frame may nest at most
 * {@link MAX_NESTING_DEPTH} levels.
 */
export const MAX_PUBLISH_DATA_DEPTH = MAX_NESTING_DEPTH - 1;

/**
 * Deepest nesting of presence member data: a `sync` frame carries it three levels down
 * (`{ members: [ { data } ] }`), and every subscriber must be able to accept that frame.
 */
export const MAX_PRESENCE_DATA_DEPTH = MAX_NESTING_DEPTH - 3;

/**
 * Refuses, while `JSON.stringify` walks a value, what JSON would drop or change without a word
 * (`this` is the object or array holding `value`). An `undefined` property is left out, which
 * reads the same; in an array it would become `null`, which does not.
 */
const strict = function (this: unknown, key: string, value: unknown): unknown {
  if (key === '__proto__') throw new Error('has a "__proto__" key, which the service refuses: rename it');
  if (value === undefined && Array.isArray(this)) throw new Error('holds undefined in an array, which JSON turns into null: use null');
  // A boxed number or BigInt is judged as the primitive JSON writes for it (`new Number(NaN)` would travel as null).
  const inner = unboxed(value);
  const type = typeof inner;
  const what =
    type === 'bigint'
      ? 'a BigInt'
      : type === 'function' || type === 'symbol'
        ? `a ${type}`
        : type === 'number' && !Number.isFinite(inner as number)
          ? String(inner)
          : // An object JSON writes as {} whatever it holds: a built-in object without own
            // enumerable keys (the only ones JSON writes), told from any realm by its prototype's
            // prototype (a plain object's is null; `__proto__` is the smallest spelling in pulse.js)
            // and its tag (not "Object"). A Map, a Set, an Error (message and stack are not
            // enumerable), a RegExp, a Promise, a WeakMap keep their data where JSON does not look.
            // A class instance is tagged "Object": with no own keys it holds nothing JSON would lose
            // (a DTO whose optional field is unset) and passes, as a plain object with a tag does.
            isObject(inner) &&
            !Object.keys(inner).length &&
            (inner.__proto__ as JsonObject | null | undefined)?.__proto__ &&
            Object.prototype.toString.call(inner) !== '[object Object]' &&
            `an instance of ${(inner.constructor as { name?: string } | undefined)?.name}`;
  if (what) throw new Error(`holds ${what}, which JSON cannot carry: convert it or leave it out`);
  return value;
};

/**
 * Why `value` cannot travel as JSON exactly as given, or `undefined` when it can. Refused, because
 * `JSON.stringify` would throw or silently change them: `BigInt`s, cycles, functions and symbols,
 * non-finite numbers, objects JSON writes as `{}` whatever they hold (a `Map`, a `Set`, an `Error`,
 * a `RegExp`, a `Promise`, a `WeakMap`: an instance of a class without own enumerable keys; one
 * whose fields hold its data passes), nesting deeper than `maxDepth` (the value itself counting
 * as one level when it is an object or array), and own `__proto__` keys (as `JSON.parse` of user
 * input makes them; the service refuses them). `undefined` object properties are allowed: JSON
 * leaves them out, which reads the same. Dates and other values with `toJSON` travel as what it
 * returns. Never throws (a getter that throws is reported as a problem).
 * @param value - the value to check.
 * @param maxDepth - deepest nesting allowed, the value itself counting as one level.
 * @param name - how messages call the value.
 * @example
 * ```ts
 * jsonValueProblem({ n: 1n }, 10); // 'data holds a BigInt, which JSON cannot carry: convert it or leave it out'
 * ```
 */
export function jsonValueProblem(value: unknown, maxDepth: number, name = 'data'): string | undefined {
  let message: string | undefined;
  try {
    const text = JSON.stringify(value, strict);
    // Depth as it travels (what toJSON returned), counted by the rule incoming frames are checked
    // by; `strict` has refused __proto__ keys already, so only 'depth' can be said here.
    if (text === undefined || !parsedJsonProblem(JSON.parse(text), maxDepth)) return undefined;
  } catch (error) {
    message = thrownText(error);
  }
  // Cycles and very deep values fail inside JSON.stringify itself, with engine-specific words.
  return `${name} ${message === undefined || /circular|cyclic|call stack|too much recursion/i.test(message) ? `nests more than ${maxDepth} levels deep (or refers to itself): flatten it` : message}`;
}

/**
 * The verdict of a send: refused with `invalid_argument` for the problem `invalid()` names, else
 * with `message_too_large` when `bytes()` (the framed size, counted only for a valid value) is over
 * {@link MAX_MESSAGE_BYTES}. Both read the data, which runs its getters or Proxy traps (counting
 * writes it once more, so one may throw only then): what they throw is the problem, and its cause.
 */
const sendProblem = (invalid: () => string | undefined, what: string, bytes: () => number): SendProblem | undefined => {
  let message: string | undefined;
  let size = 0;
  try {
    message = invalid();
    if (!message) size = bytes();
  } catch (cause) {
    return { code: 'invalid_argument', message: unreadableData(cause), cause };
  }
  if (message) return { code: 'invalid_argument', message };
  return size > MAX_MESSAGE_BYTES
    ? { code: 'message_too_large', message: `${what} is ${size} bytes once framed, over the ${MAX_MESSAGE_BYTES}-byte limit: send less, or a reference to it` }
    : undefined;
};

/**
 * Why a publish of `event` with `data` to `channel` would be refused, or `undefined` when the
 * service accepts it: names, the payload's shape (a JSON object or null whose `type`, if any, is
 * the event name), {@link jsonValueProblem} with {@link MAX_PUBLISH_DATA_DEPTH}, and the size of
 * both the publish frame and the message frame subscribers receive (each at most
 * {@link MAX_MESSAGE_BYTES}). Never throws.
 * @param channel - the channel to publish to.
 * @param event - the event name.
 * @param data - the payload: a JSON object or nothing.
 * @param timestamp - the time the message frame is stamped with, when the caller is the service
 *   (see {@link messageFrameBytes}); senders leave it out.
 * @example
 * ```ts
 * const problem = publishProblem('chat', 'message', input);
 * if (problem) throw new PulseError(problem.code, problem.message, { cause: problem.cause });
 * ```
 */
export function publishProblem(channel: unknown, event: unknown, data: unknown, timestamp?: number): SendProblem | undefined {
  return sendProblem(
    () => channelNameProblem(channel) ?? eventNameProblem(event) ?? dataShapeProblem(event as string, data) ?? jsonValueProblem(data, MAX_PUBLISH_DATA_DEPTH),
    'the message',
    // Only called when the names and data are valid.
    () =>
      Math.max(
        messageFrameBytes(channel as string, event as string, data as JsonObject, timestamp),
        utf8ByteLength(encodeFrame({ action: 'publish', channel: channel as string, event: event as string, data: data as JsonObject })),
      ),
  );
}

/**
 * Why presence member `data` for `channel` would be refused, or `undefined` when it is accepted:
 * {@link jsonValueProblem} with {@link MAX_PRESENCE_DATA_DEPTH}, and the `presence_update` frame
 * (the larger of enter and update) at most {@link MAX_MESSAGE_BYTES}. Never throws.
 * @param channel - the channel whose presence set is entered or updated.
 * @param data - the member data.
 * @example
 * ```ts
 * const problem = presenceDataProblem('room', { name: 'Ada' }); // undefined: accepted
 * ```
 */
export function presenceDataProblem(channel: unknown, data: unknown): SendProblem | undefined {
  return sendProblem(() => channelNameProblem(channel) ?? jsonValueProblem(data, MAX_PRESENCE_DATA_DEPTH), 'the presence data', () =>
    utf8ByteLength(encodeFrame({ action: 'presence_update', channel: channel as string, data })),
  );
}
