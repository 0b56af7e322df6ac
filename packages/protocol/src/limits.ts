/**
 * Service limits, as published in the OpenKBS Elastic Pulse documentation.
 * @module
 */

/** Largest frame the service accepts, in UTF-8 bytes of the serialized JSON frame (32 KB). */
export const MAX_MESSAGE_BYTES = 32 * 1024;

/** At most this many members are listed in a presence sync; `count` is always exact. */
export const MAX_PRESENCE_MEMBERS = 100;

/** A connection is closed by the service after this long (24 hours), or at token expiry if sooner. */
export const CONNECTION_TTL_MS = 24 * 60 * 60 * 1000;

/** Delays between reconnect attempts; the last one repeats (1s, 2s, 5s, 10s, then 30s). */
export const RECONNECT_DELAYS_MS: readonly number[] = /* @__PURE__ */ Object.freeze([1000, 2000, 5000, 10000, 30000]);

/** How long a client waits for a token from `authCallback`/`authUrl` unless told otherwise (`authTimeoutMs`). */
export const DEFAULT_AUTH_TIMEOUT_MS = 10_000;

/** Longest channel name accepted (our bound: private channels use 64 hex characters). */
export const MAX_CHANNEL_NAME_LENGTH = 256;

/** Longest event name accepted. */
export const MAX_EVENT_NAME_LENGTH = 128;

/**
 * Longest `userId` a token is minted for, in characters. The token holds it twice (`userId` and
 * `sub`) and travels in the connect URL, whose request line servers bound (Node: 16 KB of
 * headers): a userId of about 6 KB minted a token that could never connect.
 */
export const MAX_USER_ID_LENGTH = 1024;

/** Longest token lifetime (`expiresIn`) minted, in seconds: a year. */
export const MAX_TOKEN_LIFETIME_SECONDS = 365 * 24 * 60 * 60;

/**
 * Deepest nesting of objects and arrays accepted in a frame, the frame object itself counting
 * as one level (our bound, checked on every frame by `parseClientAction` and `parseServerFrame`).
 * It bounds the work of the `__proto__` check, so that no key can hide below it.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * Number of UTF-8 bytes needed to encode `text`, without allocating.
 * Lone surrogates count as 3 bytes, as `TextEncoder` replaces them with U+FFFD.
 *
 * @param text - any string.
 * @example
 * ```ts
 * utf8ByteLength('héllo'); // 6
 * if (utf8ByteLength(JSON.stringify(data)) > MAX_MESSAGE_BYTES) shrink(data);
 * ```
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    // A high surrogate followed by a low one is one 4-byte character: 3 counted, 1 more, skip the pair's second half.
    // (Past the end, charCodeAt is NaN, which never matches.)
    if ((code & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes++;
      i++;
    }
  }
  return bytes;
}

/** Made at the first use: a module-level one would be a side effect that bundles keep. */
let strictUtf8: TextDecoder | undefined;

/**
 * The text of `bytes` when they are UTF-8, else `undefined`: JSON text is UTF-8 (RFC 8259 §8.1),
 * and a lenient decoder puts U+FFFD in place of other bytes (a gateway's Latin-1), so the data
 * would arrive changed without a word. A leading BOM is kept as U+FEFF: whether to ignore one is
 * the reader's choice. One rule for the local service's request bodies and the server SDK's answers.
 *
 * @param bytes - a body as received.
 * @example
 * ```ts
 * utf8Text(new Uint8Array([0x52, 0xc3, 0xa9])); // 'Ré'
 * utf8Text(new Uint8Array([0x52, 0xe9])); // undefined: Latin-1, not UTF-8
 * ```
 */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return (strictUtf8 ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })).decode(bytes);
  } catch {
    return undefined;
  }
}

// Per-connection limits of the local service (issue 12). The hosted service documents none of
// these (its published limits are the message size, the 100 listed presence members and the 24 h
// TTL), so they are our bounds, set far above what a real app does, so that one hostile or buggy
// socket cannot exhaust the memory or CPU of a developer's `pulse-local`.

/** Most channels one connection may be subscribed to at once; more is refused with `limit_exceeded`. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 1000;

/** Most presence sets one connection may be in at once; entering more is refused with `limit_exceeded`. */
export const MAX_PRESENCE_ENTRIES_PER_CONNECTION = 100;

/** Frames per second one connection may send, sustained; frames over the rate get `rate_limited`. */
export const MAX_FRAMES_PER_SECOND = 200;

/** Frames one connection may send at once above {@link MAX_FRAMES_PER_SECOND} (a reconnecting client flushing its queue). */
export const MAX_FRAME_BURST = 1000;
