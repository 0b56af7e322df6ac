/**
 * Error codes shared by the service, the client and the server SDK, and the one error class they throw.
 * @module
 */

/**
 * Every stable error code, with the HTTP status the service uses for it (0 where none applies).
 * Codes are part of the public API: match on `error.code`, never on the message text.
 */
export const ERROR_STATUS = {
  /** The token is missing, malformed, forged or signed with the wrong key (HTTP 401). */
  invalid_token: 401,
  /** The token was valid but has expired: fetch a fresh one (HTTP 401). */
  token_expired: 401,
  /** The API key given to the HTTP API is wrong (HTTP 401). */
  invalid_api_key: 401,
  /**
   * Not allowed (HTTP 403): the local service's answer to a foreign `Origin`, a non-loopback
   * `Host` or a CORS preflight; the hosted service's to a key not allowed for this kb.
   */
  forbidden: 403,
  /** Elastic Pulse is not enabled for this knowledge base (HTTP 403). */
  pulse_not_enabled: 403,
  /** The token was minted for another kbId than the one connecting (HTTP 403). */
  kb_mismatch: 403,
  /** The serialized frame is over {@link MAX_MESSAGE_BYTES} (HTTP 413). */
  message_too_large: 413,
  /** The frame or request is not valid JSON of a known shape (HTTP 400). */
  invalid_message: 400,
  /** An argument given to an SDK call is invalid (no request was sent). */
  invalid_argument: 400,
  /** Too many requests: retry later, honouring `Retry-After` (HTTP 429). */
  rate_limited: 429,
  /** The operation needs a connection and there is none. */
  not_connected: 0,
  /** The client's outgoing queue is full: the publish was not queued. */
  queue_full: 0,
  /** The client was disconnected on purpose before the operation could complete. */
  disconnected: 0,
  /** The caller aborted the operation (its `AbortSignal` fired); nothing is retried. */
  aborted: 0,
  /** The service closed the connection because its token expired or the 24 h TTL passed. */
  connection_expired: 0,
  /** The service closed the connection because the client read too slowly. */
  slow_consumer: 0,
  /** No WebSocket implementation is available in this runtime. */
  no_websocket: 0,
  /** Credentials (kbId / apiKey) were not given and not found in the environment. */
  missing_credentials: 0,
  /** A request did not complete in time. */
  timeout: 0,
  /** The network failed before a response arrived. */
  network_error: 0,
  /** The service answered with something that is not the documented shape. */
  invalid_response: 0,
  /** The service failed (HTTP 5xx). */
  server_error: 500,
  /**
   * A per-connection limit of the service was reached (too many subscriptions or presence sets
   * on one connection, HTTP 429): unsubscribe or leave before adding more. Sent as an `error`
   * frame naming the channel; the connection stays open.
   */
  limit_exceeded: 429,
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** All error codes, in a stable order. */
export const ERROR_CODES = /* @__PURE__ */ Object.freeze(/* @__PURE__ */ Object.keys(ERROR_STATUS)) as readonly ErrorCode[];

/**
 * Whether `value` is one of the known {@link ErrorCode}s.
 *
 * @param value - anything, e.g. the `code` of a parsed answer.
 * @example
 * ```ts
 * const code = isErrorCode(body.code) ? body.code : 'server_error';
 * ```
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

/**
 * Where the help page of the error codes lives: `docs/errors.md` has one section per code, whose
 * anchor is the code itself (`#kb_mismatch`).
 */
export const ERRORS_DOCS_URL = 'https://github.com/openkbs/openkbs-pulse/blob/main/docs/errors.md';

/**
 * The help page section of `code`.
 *
 * @param code - the error code.
 * @returns `ERRORS_DOCS_URL#<code>`.
 * @example
 * ```ts
 * errorDocsUrl('kb_mismatch'); // 'https://github.com/openkbs/openkbs-pulse/blob/main/docs/errors.md#kb_mismatch'
 * ```
 */
export function errorDocsUrl(code: ErrorCode): string {
  return `${ERRORS_DOCS_URL}#${code}`;
}

/**
 * The fix of each error code, one short sentence that ends every message built by
 * {@link errorMessage} (the server SDK's) and the **Fix.** of the code's section in
 * `docs/errors.md`, where the long explanations (what happened, likely causes) live. The client
 * does not carry this table (its script-tag build has no room for it): its messages say what to
 * do in a few words, and `error.docsUrl` leads to the section with this fix.
 */
export const ERROR_FIX: { readonly [C in ErrorCode]: string } = {
  invalid_token: 'pass the token string your backend got from getToken (not the whole { token, endpoint } object).',
  token_expired: 'give the client authCallback or authUrl so it fetches a fresh token, or reconnect with a new one.',
  invalid_api_key: 'check the kbId and apiKey (OPENKBS_KB_ID, OPENKBS_API_KEY): the key must be the one of this kb.',
  forbidden: 'allow the Origin (allowedOrigins), use a loopback Host, or check the kbId and key; retrying will not help.',
  pulse_not_enabled: 'enable Pulse for this kb: openkbs-pulse enable (or enable() in the server SDK).',
  kb_mismatch: 'pass the same kbId to getToken on your backend and to the client.',
  message_too_large: 'send less: store the payload elsewhere and publish its id or URL.',
  invalid_message: 'a bug or a proxy altering frames: report it with the debug log (debug: true).',
  invalid_argument: 'fix the argument named in this message; nothing was sent.',
  rate_limited: 'slow down, and retry after the Retry-After delay.',
  not_connected: 'wait for the connected state, or let the client queue the call.',
  queue_full: 'retry after reconnecting, or raise maxQueueSize.',
  disconnected: 'expected after disconnect() or close(); connect() again to resend.',
  aborted: 'expected after you abort; call again only if you mean to.',
  connection_expired: 'none needed: the client reconnects by itself.',
  slow_consumer: 'do less work in callbacks or publish less; catch up from your backend.',
  no_websocket: 'pass a WebSocket implementation with the WebSocket option.',
  missing_credentials: 'pass { kbId, apiKey } or set OPENKBS_KB_ID and OPENKBS_API_KEY.',
  timeout: 'retry, and check that the API URL is reachable (OPENKBS_API_URL for a local service).',
  network_error: 'check the URL and that the service is running (OPENKBS_API_URL or endpoint for a local one).',
  invalid_response: 'check that the URL points at a Pulse service, not a proxy or a web page.',
  server_error: 'retry later (the server SDK already retries); report it if it persists.',
  limit_exceeded: 'unsubscribe from channels or leave presence sets you no longer need before adding more.',
};

/**
 * Builds the message of a {@link PulseError}: what happened (`detail`, with the values at hand),
 * then the fix of the code and the address of its help section, so every message says how to
 * fix it and where to read more.
 *
 * @param code - the error code; its fix comes from {@link ERROR_FIX}.
 * @param detail - what happened and its likely cause, e.g. `token kbId "a" differs from the kbId option "b"`.
 * @returns `<detail>. Fix: <fix> See <docs url>#<code>`.
 * @example
 * ```ts
 * throw new PulseError('kb_mismatch', errorMessage('kb_mismatch', `the token is for kb "a", the kbId option is "b"`));
 * // the token is for kb "a", the kbId option is "b". Fix: pass the same kbId to getToken on your
 * // backend and to the client. See https://github.com/openkbs/openkbs-pulse/blob/main/docs/errors.md#kb_mismatch
 * ```
 */
export function errorMessage(code: ErrorCode, detail: string): string {
  // A detail ending in a full stop must not give "..": trimmed by a loop, not a regex, so a long
  // detail cannot make it backtrack.
  let end = detail.trimEnd();
  while (end.endsWith('.')) end = end.slice(0, -1);
  return `${end}. Fix: ${ERROR_FIX[code]} See ${errorDocsUrl(code)}`;
}

/** Options of the {@link PulseError} constructor. */
export interface PulseErrorOptions {
  /**
   * HTTP status the error came with (an HTTP answer, a refused WebSocket upgrade). Leave it out
   * for errors raised without one: it is never derived from the code.
   */
  statusCode?: number;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of every openkbs-pulse package. Match on `code`, which is stable.
 *
 * @example
 * ```ts
 * try { await channel.publish('msg', data) } catch (e) {
 *   if (isPulseError(e) && e.code === 'message_too_large') shrink(data)
 * }
 * ```
 */
export class PulseError extends Error {
  /** Always `'PulseError'` (shown in stack traces and logs). */
  override readonly name: string = 'PulseError';
  // `code` and `statusCode` are set by the constructor: `declare` keeps the bundles from carrying
  // field declarations that only repeat it.
  /** Stable machine-readable code. */
  declare readonly code: ErrorCode;
  /**
   * The HTTP status the error came with, as given in {@link PulseErrorOptions.statusCode}:
   * set where the error came from an HTTP answer or a refused WebSocket upgrade, `undefined`
   * for errors raised before or without any request (a refused argument, an oversize publish,
   * an `error` frame, a timeout). It is not looked up from the code: see {@link ERROR_STATUS}
   * for the status the service uses for each code.
   */
  declare readonly statusCode: number | undefined;

  /** The help section of {@link code} in `docs/errors.md`: what happened, likely causes, the fix. */
  get docsUrl(): string {
    return `${ERRORS_DOCS_URL}#${this.code}`;
  }

  constructor(code: ErrorCode, message: string, options: PulseErrorOptions = {}) {
    // Error reads only `cause` from its options.
    super(message, options.cause === undefined ? undefined : options);
    this.code = code;
    this.statusCode = options.statusCode;
  }
}

/**
 * Whether `value` is a {@link PulseError} (works across bundle copies, so it does not rely on `instanceof`).
 *
 * @param value - anything caught.
 * @example
 * ```ts
 * try { await client.publish('chat', 'message', data) } catch (e) {
 *   if (isPulseError(e)) console.error(e.code, e.docsUrl)
 * }
 * ```
 */
export function isPulseError(value: unknown): value is PulseError {
  return (
    value instanceof PulseError ||
    (value instanceof Error && isErrorCode((value as { code?: unknown }).code) && 'statusCode' in value)
  );
}

/**
 * WebSocket close codes the service uses, so a client can tell why it was closed.
 * Codes 4000-4999 are reserved for applications by RFC 6455.
 */
export const CLOSE_CODES = {
  /** Normal closure requested by either side. */
  normal: 1000,
  /** The service is shutting down or restarting: reconnect. */
  goingAway: 1001,
  /** The token expired during the session: refresh it, then reconnect. */
  tokenExpired: 4001,
  /** The 24 h connection TTL passed: reconnect (with the same token if still valid). */
  connectionTtl: 4002,
  /** The service closed the connection on purpose. (The local service's `kill` / `dropAll` test hooks send no close frame: clients see 1006.) */
  kicked: 4003,
  /** The client did not read fast enough and its outgoing buffer overflowed. */
  slowConsumer: 4008,
} as const;

/** One of {@link CLOSE_CODES}. */
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
