/**
 * `createPulseClient`: an explicitly configured server SDK instance (credentials, API URL,
 * timeout, retries, transport). Every call is `POST {apiUrl}` with a JSON body
 * `{ action, kbId, apiKey, ... }`; answers are validated before they are returned.
 * @module
 */
import {
  API_ACTIONS,
  channelNameProblem,
  errorMessage,
  injectedOptionsProblem,
  isPulseError,
  isRegion,
  parseApiError,
  parseApiResponse,
  publishProblem,
  PulseError,
  shownValue,
  tokenClaimsProblem,
  tokenRequestProblem,
  unreadableData,
  systemClock,
  type ApiActionName,
  type ApiCredentials,
  type ApiRequests,
  type ApiResponses,
  type ChannelsResponse,
  type Clock,
  type EnableResponse,
  type JsonObject,
  type PresenceResponse,
  type PublishResponse,
  type Region,
  type StatusResponse,
  type TokenResponse,
} from '@openkbs-pulse/protocol';
import { processEnv, resolveConfig, type CallCredentials, type EnvSource, type ResolvedConfig } from './config.js';
import { callName, errorFromResponse, failureReason, networkErrorMessage, PulseApiError, redact, safeCause, setAttempts } from './errors.js';
import { backoffDelayMs, clockSleep, parseRetryAfter, retryPolicy, type RetryOptions, type RetryPolicy } from './retry.js';
import { reported, type ErrorHook } from './reported.js';
import { createTransport, DEFAULT_MAX_RESPONSE_BYTES, type HttpResponse, type Transport, type TransportOptions } from './transport.js';

/** Default per-request timeout, in ms. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Default number of publishes in flight in {@link PulseClient.publishBatch}. */
export const DEFAULT_BATCH_CONCURRENCY = 10;

/** What {@link PulseClientOptions.onRetry} is told before each retry. */
export interface RetryInfo {
  /** The API action being retried, e.g. `pulsePublish`. */
  action: ApiActionName;
  /** The retry about to be made (1 for the first retry). */
  retry: number;
  /** How long the SDK waits before it, in ms. */
  delayMs: number;
  /** The failure being retried. */
  error: PulseApiError;
}

/** Options of {@link createPulseClient}. Credentials fall back to the environment at call time. */
export interface PulseClientOptions extends CallCredentials, TransportOptions, RetryOptions {
  /** Per-attempt timeout, in ms (request sent until the body is read). @default 5000 */
  timeoutMs?: number | undefined;
  /**
   * Largest answer read, in bytes: reading stops beyond it and the call fails with
   * `invalid_response` (this bounds what a wrong `apiUrl` can cost). Most answers are a few KB;
   * a presence answer can be 3.3 MB (100 members of 32 KB data), a channel list more.
   * @default 16777216 (16 MiB)
   */
  maxResponseBytes?: number | undefined;
  /** Time source for timeouts and backoff. @default systemClock */
  clock?: Clock | undefined;
  /** Random numbers in [0, 1) for backoff jitter. @default Math.random */
  random?: (() => number) | undefined;
  /** Waits between retries; defaults to a timer on `clock`. Tests pass one that records delays. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Where environment variables are read from, at call time. @default process.env */
  env?: EnvSource | undefined;
  /** Called before each retry (for metrics; it never receives the API key). */
  onRetry?: ((info: RetryInfo) => void) | undefined;
  /**
   * Called with every failure of a call (after its retries), whether or not the caller handles
   * the returned promise, and the function that failed: for logs and metrics. The promise still
   * rejects. Without it, a failure whose promise nobody handled (no `await`, `then` or `catch`)
   * is logged as one `console.error` line. Either way no returned promise is ever an unhandled
   * rejection, so a fire-and-forget `publish` never crashes the process. Failed items of
   * `publishBatch` are results, not failures of the call.
   */
  onError?: ErrorHook | undefined;
}

/** Per-call options: credentials override the client's, which override the environment. */
export interface CallOptions extends CallCredentials {
  /** Aborts the call (and its retries). */
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout for this call, in ms. */
  timeoutMs?: number | undefined;
  /** Retries for this call. */
  retries?: number | undefined;
}

/** Options of `getToken`. */
export interface TokenOptions extends CallOptions {
  /** Token lifetime in seconds (the service may cap it). */
  expiresIn?: number | undefined;
}

/** Options of `enable`. */
export interface EnableOptions extends CallOptions {
  /** Region to run Pulse in. */
  region?: Region | undefined;
}

/**
 * Publish payload: a JSON object (the event name is merged into it as `data.type`), or
 * nothing. Typed as `object` so that interfaces without index signatures are accepted.
 */
export type PublishData = object | null | undefined;

/** One publish of {@link PulseClient.publishBatch}. */
export interface PublishBatchItem {
  /** The channel to publish to. */
  channel: string;
  /** Event name; subscribers receive it as `data.type`. */
  event: string;
  /** The payload, as for `publish`. */
  data?: PublishData;
}

/** Options of `publishBatch`. */
export interface PublishBatchOptions extends CallOptions {
  /** Publishes in flight at once. @default 10 */
  concurrency?: number | undefined;
}

/** The outcome of one item of a batch, in input order. */
export type PublishBatchResult =
  | {
      /** The publish succeeded. */
      ok: true;
      /** The input item this result is for. */
      item: PublishBatchItem;
      /** The service's answer. */
      value: PublishResponse;
    }
  | {
      /** The publish failed (after any retries); other items are unaffected. */
      ok: false;
      /** The input item this result is for. */
      item: PublishBatchItem;
      /**
       * Why it failed: a {@link PulseError} (match on `code`) for every failure the SDK detects,
       * a {@link PulseApiError} when the service or the network failed. Anything else thrown while
       * publishing (an `onRetry` hook, an injected `clock` or `sleep`) is passed through as is:
       * narrow with `isPulseError` before reading `code`.
       */
      error: PulseError | Error;
    };

/** An explicitly configured server SDK instance. */
export interface PulseClient {
  /**
   * Mints a client token for `userId`, with the client's credentials (or the environment's).
   * Distinguished from the 3-argument form by the argument count: one or two arguments where
   * the second is not a string mean `(userId, options?)`.
   *
   * @param userId - the user the token is for.
   * @param options - lifetime (`expiresIn`, seconds) and per-call overrides.
   * @example
   * ```ts
   * const { token, endpoint } = await client.getToken(user.id, { expiresIn: 3600 });
   * ```
   */
  getToken(userId: string, options?: TokenOptions): Promise<TokenResponse>;
  /**
   * Mints a client token (the seed's call shape). `undefined` credentials fall back to the
   * client options, then `OPENKBS_KB_ID` / `OPENKBS_API_KEY`.
   *
   * @param kbId - the knowledge base id, or `undefined`.
   * @param apiKey - its API key, or `undefined`.
   * @param userId - the user the token is for.
   * @param options - lifetime (`expiresIn`, seconds) and per-call overrides.
   */
  getToken(kbId: string | undefined, apiKey: string | undefined, userId: string, options?: TokenOptions): Promise<TokenResponse>;
  /**
   * Publishes `event` with `data` to every subscriber of `channel`.
   *
   * @param channel - the channel name.
   * @param event - the event name.
   * @param data - a JSON object (or nothing); subscribers receive it with `type: event` added.
   * @param options - per-call overrides (credentials, timeout, retries, `signal`).
   * @example
   * ```ts
   * const { delivered } = await client.publish('orders', 'new_order', { id: 'ord-123' });
   * ```
   */
  publish(channel: string, event: string, data?: PublishData, options?: CallOptions): Promise<PublishResponse>;
  /**
   * The presence set of `channel` (`count` exact, at most 100 members listed).
   *
   * @param channel - the channel name.
   * @param options - per-call overrides.
   * @example
   * ```ts
   * const { count, members } = await client.presence('chat');
   * ```
   */
  presence(channel: string, options?: CallOptions): Promise<PresenceResponse>;
  /**
   * Active channels of the knowledge base.
   *
   * @param options - per-call overrides.
   * @example
   * ```ts
   * const { channels } = await client.channels();
   * ```
   */
  channels(options?: CallOptions): Promise<ChannelsResponse>;
  /**
   * Whether Pulse is enabled, its region and endpoint, and current counts.
   *
   * @param options - per-call overrides.
   * @example
   * ```ts
   * const { enabled, connections } = await client.status();
   * ```
   */
  status(options?: CallOptions): Promise<StatusResponse>;
  /**
   * Enables Elastic Pulse (optionally in `region`).
   *
   * @param options - `region` and per-call overrides.
   * @example
   * ```ts
   * await client.enable({ region: 'eu-central-1' });
   * ```
   */
  enable(options?: EnableOptions): Promise<EnableResponse>;
  /**
   * Disables Elastic Pulse.
   *
   * @param options - per-call overrides.
   * @example
   * ```ts
   * await client.disable();
   * ```
   */
  disable(options?: CallOptions): Promise<EnableResponse>;
  /**
   * Publishes many events, `concurrency` at a time; never rejects, one result per item.
   *
   * @param items - `{ channel, event, data? }` each.
   * @param options - `concurrency` and per-call overrides.
   * @example
   * ```ts
   * const results = await client.publishBatch([{ channel: 'a', event: 'e' }, { channel: 'b', event: 'e' }], { concurrency: 4 });
   * ```
   */
  publishBatch(items: readonly PublishBatchItem[], options?: PublishBatchOptions): Promise<PublishBatchResult[]>;
  /** The transport in use (`pending` until the first request picks it). */
  readonly transport: Transport['kind'];
  /**
   * Closes pooled connections. Calls after `close()` fail with `disconnected`.
   *
   * @example
   * ```ts
   * await client.close();
   * ```
   */
  close(): Promise<void>;
}

const invalid = (message: string) => new PulseError('invalid_argument', errorMessage('invalid_argument', message));

/**
 * The request as JSON. Data was checked just before, but its getters run again here: one that
 * throws only now is `invalid_argument` as when it throws during the check, never a bare throw.
 */
function requestBody(request: object, action: ApiActionName): string {
  try {
    return JSON.stringify(request);
  } catch (cause) {
    throw new PulseError('invalid_argument', errorMessage('invalid_argument', `${callName(action)}: ${unreadableData(cause)}; pass plain data`), { cause });
  }
}

/** The request fields of `action` besides `action`, `kbId` and `apiKey`. */
type ApiFields<A extends ApiActionName> = Omit<ApiRequests[A], 'kbId' | 'apiKey'>;

/** The error of a call its caller aborted through `signal`: code `aborted`, never retried. */
function abortedError(action: ApiActionName, signal: AbortSignal, attempts: number, cause?: unknown): PulseApiError {
  return new PulseApiError('aborted', errorMessage('aborted', `${callName(action)} was aborted by the caller's signal`), {
    retryable: false,
    action,
    attempts,
    cause: cause ?? signal.reason,
  });
}

/**
 * A failure of {@link PulseClient.publishBatch} that is not a `PulseError`: something the
 * caller injected threw (an `onRetry` hook, a `clock` or `sleep`). It is passed through as is,
 * like `Promise.allSettled` would, rather than dressed up with an error code that is not true;
 * a thrown non-`Error` value is wrapped in an `Error` whose `cause` is that value.
 */
function unexpectedError(error: unknown): Error {
  return error instanceof Error ? error : new Error(`publish failed: ${shownValue(error)}`, { cause: error });
}

/**
 * Checks a publish before anything is sent, by the protocol's one rule
 * ({@link @openkbs-pulse/protocol!publishProblem | publishProblem}, which the client and the
 * service use too): names, payload shape, values JSON carries unchanged (no NaN, Map, BigInt,
 * `undefined` in arrays), nesting, no `__proto__` keys, and the size of the frames (at most
 * {@link @openkbs-pulse/protocol!MAX_MESSAGE_BYTES | MAX_MESSAGE_BYTES}). A publish that passes
 * is never refused by the service for its content.
 * @param channel - the channel name to check.
 * @param event - the event name to check.
 * @param data - the data to check: a JSON object, `null` or `undefined`.
 * @throws PulseError `invalid_argument` or `message_too_large`.
 * @example
 * ```ts
 * validatePublish('orders', 'new_order', order); // throws before you queue a publish that would fail
 * ```
 */
export function validatePublish(channel: unknown, event: unknown, data: unknown): void {
  // The one check of a publish (the client's and the service's): names, a JSON object whose
  // values JSON carries unchanged, 63 levels, no __proto__ keys, both frames within 32 KB.
  const problem = publishProblem(channel, event, data);
  // The cause, if any, is what the data's getter or Proxy trap threw.
  if (problem) throw new PulseError(problem.code, errorMessage(problem.code, problem.message), { cause: problem.cause });
}

/**
 * The `transport` option, and the pool options of the undici transport, checked when the client
 * is created as timeoutMs is: undici refuses a bad pool option only when the first call builds its
 * Agent, far from the mistake (and takes `connections: 0` as no limit at all).
 */
function checkTransportOptions(options: TransportOptions): void {
  // Else a typo ('feth') picked undici without a word.
  const { transport } = options;
  if (transport != null && transport !== 'auto' && transport !== 'fetch' && transport !== 'undici') {
    throw invalid(`transport must be "auto", "fetch" or "undici" (got ${shownValue(transport)}); leave it out for "auto"`);
  }
  positiveNumber(options.keepAliveTimeoutMs, 0, 'keepAliveTimeoutMs');
  const { connections } = options;
  if (connections !== undefined && !(Number.isSafeInteger(connections) && connections >= 1)) {
    throw invalid(`connections must be a whole number, at least 1 (got ${shownValue(connections)}); leave it out for 128`);
  }
}

/** Options the caller injects, refused at once when of the wrong type (else a call fails with a bare TypeError, or as a network failure). */
function checkInjected(options: PulseClientOptions): void {
  const problem = injectedOptionsProblem(options, ['fetch', 'random', 'sleep', 'env', 'onRetry', 'onError']);
  if (problem) throw invalid(problem);
  const { dispatcher } = options;
  if (dispatcher != null && typeof (dispatcher as { request?: unknown }).request !== 'function') {
    throw invalid(`dispatcher must be an undici Dispatcher (an Agent or a Pool) (got ${shownValue(dispatcher)})`);
  }
}

function positiveNumber(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(`${name} must be a positive number`);
  return value;
}

/**
 * The `signal` option, checked: an AbortSignal (from any realm or polyfill: recognised by its
 * shape), or none. The usual slip is passing the AbortController itself, which would fail
 * inside the SDK with a bare TypeError.
 */
function callSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined || value === null) return undefined;
  const signal = value as Partial<AbortSignal>;
  if (typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function' && typeof signal.removeEventListener === 'function') {
    return value as AbortSignal;
  }
  throw invalid('signal must be an AbortSignal: pass controller.signal, not the AbortController');
}

/**
 * The error for a redirect answer, which is never followed: following would re-send the body,
 * API key included, to the Location (307/308), or turn the POST into a GET whose answer would be
 * taken for the API's (301/302/303). The Location is named so the caller can fix `apiUrl`.
 */
function redirectError(action: ApiActionName, url: string, response: HttpResponse, secrets: readonly string[]): PulseApiError {
  let where = response.followedTo;
  if (where === undefined) {
    const location = response.header('location');
    try {
      where = location === undefined ? undefined : new URL(location, url).href;
    } catch {
      where = location;
    }
  }
  const target = where === undefined ? 'a URL it did not disclose' : redact(where, secrets).slice(0, 300);
  const what = response.followedTo === undefined ? `answered HTTP ${response.status || '3xx'} with a redirect to` : 'was redirected by the fetch function to';
  const detail = `${callName(action)} ${what} ${target}; redirects are not followed (the request carries the API key): set apiUrl to the API's own URL`;
  return new PulseApiError('invalid_response', errorMessage('invalid_response', detail), { status: response.status || undefined, retryable: false, action });
}

/** Whether an answer is a redirect: a 3xx, a browser's opaque redirect (status 0), or a fetch that followed one anyway. */
const isRedirect = (response: HttpResponse): boolean =>
  response.followedTo !== undefined || response.status === 0 || (response.status >= 300 && response.status < 400);

/**
 * The message of a call that ran out of time, naming the call and the URL it waited on, with the
 * API key removed from the URL (a gateway may take it in the query string).
 */
const timeoutMessage = (action: ApiActionName, config: ResolvedConfig, timeoutMs: number): string =>
  errorMessage('timeout', `${callName(action)} to ${redact(config.apiUrl, [config.apiKey])} got no answer within ${timeoutMs} ms (timeoutMs)`);

/** The abort signal of one attempt, and how it ended. */
interface AttemptDeadline {
  /** Aborts when the attempt's time is up or the caller's signal aborts. */
  signal: AbortSignal;
  /** Whether it was the time that ran out. */
  timedOut(): boolean;
  /** Clears the timer and the listener on the caller's signal. */
  stop(): void;
}

/**
 * Starts the deadline of one attempt. The timer starts last, after everything that can throw,
 * so a failed set-up never leaves a timer behind to fire later.
 */
function attemptDeadline(clock: Clock, timeoutMs: number, callerSignal: AbortSignal | undefined, timeoutError: () => PulseError): AttemptDeadline {
  const controller = new AbortController();
  const onAbort = () => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    controller.abort(timeoutError());
  }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    stop() {
      clock.clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Creates an explicitly configured client. Nothing is read from the environment until a call.
 *
 * @param options - credentials and API URL (else the `OPENKBS_*` environment), transport, timeout, retries.
 * @example
 * ```ts
 * const client = createPulseClient({ kbId, apiKey, apiUrl: 'http://127.0.0.1:8080', retries: 0 });
 * await client.publish('orders', 'new_order', { id: 'ord-1' });
 * await client.close();
 * ```
 */
export function createPulseClient(options: PulseClientOptions = {}): PulseClient {
  checkInjected(options);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? clockSleep(clock);
  const env = options.env ?? processEnv;
  const basePolicy = retryPolicy(options);
  const defaultTimeoutMs = positiveNumber(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const maxResponseBytes = Math.floor(positiveNumber(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes'));
  checkTransportOptions(options);
  const transport = createTransport(options);

  async function attempt<A extends ApiActionName>(
    action: A,
    config: ResolvedConfig,
    body: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<ApiResponses[A]> {
    const secrets = [config.apiKey];
    const deadline = attemptDeadline(clock, timeoutMs, signal, () => new PulseError('timeout', timeoutMessage(action, config, timeoutMs)));
    let status: number;
    let text: string;
    let utf8: boolean;
    let retryAfter: string | undefined;
    try {
      const response = await transport.post(config.apiUrl, body, deadline.signal);
      status = response.status;
      if (isRedirect(response)) {
        response.discard();
        throw redirectError(action, config.apiUrl, response, secrets);
      }
      retryAfter = response.header('retry-after');
      const read = await response.text(maxResponseBytes);
      if (!read.ok) {
        const size = read.declaredBytes === undefined ? `over ${read.readBytes} bytes` : `${read.declaredBytes} bytes (Content-Length)`;
        const detail = `${callName(action)} answered HTTP ${status} with a body of ${size}, over maxResponseBytes (${maxResponseBytes}); reading stopped. Check apiUrl, or raise maxResponseBytes`;
        throw new PulseApiError('invalid_response', errorMessage('invalid_response', detail), { status, retryable: false, action });
      }
      ({ text, utf8 } = read);
    } catch (error) {
      if (deadline.timedOut()) {
        throw new PulseApiError('timeout', timeoutMessage(action, config, timeoutMs), { retryable: true, action });
      }
      if (signal?.aborted) throw abortedError(action, signal, 1);
      if (isPulseError(error)) throw error;
      const detail = failureReason(error, secrets);
      throw new PulseApiError('network_error', networkErrorMessage(action, redact(config.apiUrl, secrets), detail), {
        retryable: true,
        action,
        cause: safeCause(error, secrets),
      });
    } finally {
      deadline.stop();
    }

    let parsed: unknown = text;
    let json = false;
    try {
      parsed = JSON.parse(text);
      json = true;
    } catch {
      // Not JSON: kept as text for the error message.
    }
    if (status < 200 || status >= 300) {
      throw errorFromResponse(action, status, parsed, secrets, { retryAfterMs: parseRetryAfter(retryAfter, clock.now()), kbId: config.kbId, apiUrl: config.apiUrl });
    }
    // JSON text is UTF-8: decoded with U+FFFD in place of other bytes (a gateway's Latin-1), the
    // answer would resolve with data the service never sent. An error answer is read either way.
    if (!json || !utf8) {
      const what = json ? 'not UTF-8 (JSON text is: a gateway or proxy re-encoded it?)' : 'not JSON';
      throw new PulseApiError('invalid_response', errorMessage('invalid_response', `${callName(action)} (${redact(config.apiUrl, secrets)}) answered HTTP ${status} with a body that is ${what}`), {
        status,
        retryable: false,
        action,
      });
    }
    // The client's clock judges a token's exp: a service on the same fake clock mints tokens of its time.
    const result = parseApiResponse(action, parsed, clock.now());
    if (result.ok) return result.value;
    if (parseApiError(parsed)) throw errorFromResponse(action, status, parsed, secrets, { kbId: config.kbId, apiUrl: config.apiUrl });
    throw new PulseApiError('invalid_response', errorMessage('invalid_response', `${callName(action)} (${redact(config.apiUrl, secrets)}) answered with an unexpected shape: ${result.message}`), {
      status,
      retryable: false,
      action,
    });
  }

  async function call<A extends ApiActionName>(
    action: A,
    fields: ApiFields<A>,
    callOptions: CallOptions | undefined,
    credentials: CallCredentials | undefined = callOptions,
    /** Why an answer of the right shape is still not the one asked for (getToken's claims). */
    answerProblem?: (answer: ApiResponses[A], config: ResolvedConfig) => string | undefined,
  ): Promise<ApiResponses[A]> {
    // Options are checked before anything starts (no timer, no request).
    const signal = callSignal(callOptions?.signal);
    const timeoutMs = positiveNumber(callOptions?.timeoutMs, defaultTimeoutMs, 'timeoutMs');
    const config = resolveConfig([credentials, callOptions, options], env);
    const policy: RetryPolicy =
      callOptions?.retries === undefined ? basePolicy : { ...basePolicy, retries: retryPolicy({ retries: callOptions.retries }).retries };
    // The protocol's request type of this action (ApiRequest<A>): field drift fails to compile.
    const request: { action: A } & ApiCredentials & ApiFields<A> = { action, kbId: config.kbId, apiKey: config.apiKey, ...fields };
    const body = requestBody(request, action);
    for (let retry = 0; ; retry++) {
      if (signal?.aborted) throw abortedError(action, signal, retry);
      try {
        const answer = await attempt(action, config, body, timeoutMs, signal);
        const problem = answerProblem?.(answer, config);
        if (problem === undefined) return answer;
        const detail = `${callName(action)} (${redact(config.apiUrl, [config.apiKey])}) answered ${problem}: the browser would refuse it or act as someone else. Check apiUrl`;
        throw new PulseApiError('invalid_response', errorMessage('invalid_response', detail), { retryable: false, action });
      } catch (error) {
        if (!(error instanceof PulseApiError)) throw error;
        setAttempts(error, retry + 1);
        if (!error.retryable || retry >= policy.retries) throw error;
        if (error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxRetryAfterMs) throw error;
        const delayMs = error.retryAfterMs ?? backoffDelayMs(retry + 1, policy, random);
        options.onRetry?.({ action, retry: retry + 1, delayMs, error });
        try {
          await sleep(delayMs, signal);
        } catch (sleepError) {
          if (signal?.aborted) throw abortedError(action, signal, retry + 1, error);
          throw sleepError;
        }
      }
    }
  }

  async function getToken(...args: unknown[]): Promise<TokenResponse> {
    const positional = args.length >= 3 || typeof args[1] === 'string';
    const [kbId, apiKey, userId, rest] = positional ? args : [undefined, undefined, args[0], args[1]];
    const callOptions = (rest ?? undefined) as TokenOptions | undefined;
    // The service's own rule: a token that could never connect, or expired at birth, is refused.
    const problem = tokenRequestProblem(userId, callOptions?.expiresIn);
    if (problem) throw invalid(problem);
    // Only `undefined` defers to the options and the environment: anything else given here
    // (null, '', a number) is checked by resolveConfig and refused, never replaced.
    const credentials: CallCredentials = {
      kbId: kbId === undefined ? callOptions?.kbId : (kbId as string),
      apiKey: apiKey === undefined ? callOptions?.apiKey : (apiKey as string),
      apiUrl: callOptions?.apiUrl,
    };
    const fields: ApiFields<'createPulseToken'> = { userId: userId as string };
    if (callOptions?.expiresIn !== undefined) fields.expiresIn = callOptions.expiresIn;
    return call(API_ACTIONS.createToken, fields, callOptions, credentials, (answer, config) => tokenClaimsProblem(answer.token, config.kbId, fields.userId));
  }

  async function publish(channel: string, event: string, data?: PublishData, callOptions?: CallOptions): Promise<PublishResponse> {
    validatePublish(channel, event, data);
    const fields: ApiFields<'pulsePublish'> = { channel, event };
    // validatePublish checked that data is a JSON object or null.
    if (data !== undefined) fields.data = data as JsonObject | null;
    return call(API_ACTIONS.publish, fields, callOptions);
  }

  async function presence(channel: string, callOptions?: CallOptions): Promise<PresenceResponse> {
    const problem = channelNameProblem(channel);
    if (problem) throw invalid(problem);
    return call(API_ACTIONS.presence, { channel }, callOptions);
  }

  async function enable(callOptions?: EnableOptions): Promise<EnableResponse> {
    const region = callOptions?.region;
    if (region !== undefined && !isRegion(region)) throw invalid('region must be us-east-1 or eu-central-1');
    return call(API_ACTIONS.enable, region === undefined ? {} : { region }, callOptions);
  }

  async function publishBatch(items: readonly PublishBatchItem[], batchOptions?: PublishBatchOptions): Promise<PublishBatchResult[]> {
    if (!Array.isArray(items)) throw invalid('items must be an array');
    // One bad signal fails the batch, not each item.
    callSignal(batchOptions?.signal);
    const concurrency = Math.floor(positiveNumber(batchOptions?.concurrency, DEFAULT_BATCH_CONCURRENCY, 'concurrency'));
    if (concurrency < 1) throw invalid('concurrency must be at least 1');
    const results = new Array<PublishBatchResult>(items.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const index = next++;
        const item = items[index] as PublishBatchItem;
        try {
          const value = await publish(item?.channel, item?.event, item?.data, batchOptions);
          results[index] = { ok: true, item, value };
        } catch (error) {
          results[index] = { ok: false, item, error: isPulseError(error) ? error : unexpectedError(error) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
    return results;
  }

  // Every returned promise has the SDK's handler attached and reports its failure (reported.ts).
  const onError = options.onError;
  return {
    getToken: ((...args: unknown[]) => reported('getToken', onError, () => getToken(...args))) as PulseClient['getToken'],
    publish: (...args) => reported('publish', onError, () => publish(...args)),
    presence: (...args) => reported('presence', onError, () => presence(...args)),
    channels: (callOptions) => reported('channels', onError, () => call(API_ACTIONS.channels, {}, callOptions)),
    status: (callOptions) => reported('status', onError, () => call(API_ACTIONS.status, {}, callOptions)),
    enable: (callOptions) => reported('enable', onError, () => enable(callOptions)),
    disable: (callOptions) => reported('disable', onError, () => call(API_ACTIONS.disable, {}, callOptions)),
    publishBatch: (...args) => reported('publishBatch', onError, () => publishBatch(...args)),
    get transport() {
      return transport.kind;
    },
    close: () => reported('close', onError, () => transport.close()),
  };
}
