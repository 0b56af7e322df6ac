/**
 * `@openkbs-pulse/server`: the OpenKBS Elastic Pulse server SDK. Mint client tokens, publish
 * events, read presence, from Node, Lambda-style functions and edge runtimes.
 *
 * @example
 * ```ts
 * import pulse from '@openkbs-pulse/server';
 * const { token, endpoint } = await pulse.getToken(kbId, apiKey, userId);
 * await pulse.publish('orders', 'new_order', { id: 1 }, { kbId, apiKey });
 * const { count, members } = await pulse.presence('chat', { kbId, apiKey });
 * ```
 *
 * Credentials come from the options, else `OPENKBS_KB_ID` / `OPENKBS_API_KEY`, read at call
 * time; the API URL from `apiUrl`, else `OPENKBS_API_URL`, else `https://kb.openkbs.com`.
 * @packageDocumentation
 */
import {
  createPulseClient,
  type CallOptions,
  type EnableOptions,
  type PublishBatchItem,
  type PublishBatchOptions,
  type PublishBatchResult,
  type PublishData,
  type PulseClient,
  type TokenOptions,
} from './client.js';
import { decodeToken, verifyToken } from './tokens.js';
import type {
  ChannelsResponse,
  EnableResponse,
  PresenceResponse,
  PublishResponse,
  StatusResponse,
  TokenResponse,
} from '@openkbs-pulse/protocol';

export {
  createPulseClient,
  validatePublish,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_BATCH_CONCURRENCY,
  type PulseClient,
  type PulseClientOptions,
  type CallOptions,
  type TokenOptions,
  type EnableOptions,
  type PublishData,
  type PublishBatchItem,
  type PublishBatchOptions,
  type PublishBatchResult,
  type RetryInfo,
} from './client.js';
export { ENV_API_KEY, ENV_API_URL, ENV_KB_ID, type CallCredentials, type EnvSource } from './config.js';
export { PulseApiError, isPulseApiError, type PulseApiErrorOptions } from './errors.js';
export type { ErrorHook, PulseCallName } from './reported.js';
export { DEFAULT_RETRY, parseRetryAfter, type RetryOptions, type RetryPolicy } from './retry.js';
export type { FetchLike, TransportKind, TransportOptions } from './transport.js';
export { decodeToken, verifyToken, type DecodedPulseToken, type VerifyTokenOptions } from './tokens.js';
export { PulseError, isPulseError, DEFAULT_API_URL, API_ACTIONS } from '@openkbs-pulse/protocol';
export type {
  ErrorCode,
  Region,
  TokenResponse,
  PublishResponse,
  PresenceResponse,
  PresenceMember,
  StatusResponse,
  ChannelsResponse,
  ChannelInfo,
  EnableResponse,
  PulseTokenClaims,
} from '@openkbs-pulse/protocol';

let defaultClient: PulseClient | undefined;

/** The lazily created client behind the module-level functions (configured by the environment). */
function client(): PulseClient {
  defaultClient ??= createPulseClient();
  return defaultClient;
}

/**
 * Mints a client token with `OPENKBS_KB_ID` / `OPENKBS_API_KEY` (or `options`).
 *
 * @param userId - the user the token is for: `userId` of their presence entries.
 * @param options - lifetime (`expiresIn`, seconds) and per-call credentials, URL, timeout, retries.
 * @returns `{ token, endpoint, region, expiresIn }`: give the page `token` and `endpoint`.
 * @example
 * ```ts
 * // an authenticated route of your backend
 * const { token, endpoint } = await getToken(user.id);
 * res.json({ token, endpoint, kbId: process.env.OPENKBS_KB_ID });
 * ```
 */
export function getToken(userId: string, options?: TokenOptions): Promise<TokenResponse>;
/**
 * Mints a client token (the seed's call shape); `undefined` credentials fall back to the environment.
 *
 * @param kbId - the knowledge base id, or `undefined` for `OPENKBS_KB_ID`.
 * @param apiKey - its API key, or `undefined` for `OPENKBS_API_KEY`.
 * @param userId - the user the token is for.
 * @param options - lifetime (`expiresIn`, seconds), API URL, timeout, retries.
 * @example
 * ```ts
 * const { token, endpoint } = await pulse.getToken(kbId, apiKey, user.id);
 * ```
 */
export function getToken(kbId: string | undefined, apiKey: string | undefined, userId: string, options?: TokenOptions): Promise<TokenResponse>;
export function getToken(...args: unknown[]): Promise<TokenResponse> {
  return (client().getToken as (...rest: unknown[]) => Promise<TokenResponse>)(...args);
}

/**
 * Publishes `event` with `data` to every subscriber of `channel`.
 *
 * @param channel - the channel name (1 to 256 characters).
 * @param event - the event name subscribers listen to (1 to 128 characters).
 * @param data - a JSON object (or nothing); subscribers receive it with `type: event` added.
 * @param options - per-call credentials (`kbId`, `apiKey`), URL, timeout, retries, `signal`.
 * @returns how many connections it was delivered to, and when.
 * @example
 * ```ts
 * await publish('orders', 'new_order', { id: 'ord-123', total: 42 });
 * await publish('orders', 'new_order', { id: 'ord-124' }, { kbId, apiKey }); // explicit credentials
 * ```
 */
export function publish(channel: string, event: string, data?: PublishData, options?: CallOptions): Promise<PublishResponse> {
  return client().publish(channel, event, data, options);
}

/**
 * The presence set of `channel`.
 *
 * @param channel - the channel name.
 * @param options - per-call credentials, URL, timeout, retries, `signal`.
 * @returns `{ count, members }`: `count` is exact, `members` lists at most 100.
 * @example
 * ```ts
 * const { count, members } = await presence('chat');
 * console.log(`${count} online:`, members.map((m) => m.userId));
 * ```
 */
export function presence(channel: string, options?: CallOptions): Promise<PresenceResponse> {
  return client().presence(channel, options);
}

/**
 * Active channels, with their subscriber and presence counts.
 *
 * @param options - per-call credentials, URL, timeout, retries, `signal`.
 * @example
 * ```ts
 * const { channels: active } = await channels();
 * for (const c of active) console.log(c.channel, c.subscribers, c.presence);
 * ```
 */
export function channels(options?: CallOptions): Promise<ChannelsResponse> {
  return client().channels(options);
}

/**
 * Pulse status of the knowledge base: enabled, region, endpoint, connection and channel counts.
 *
 * @param options - per-call credentials, URL, timeout, retries, `signal`.
 * @example
 * ```ts
 * const { enabled, region, connections } = await status();
 * if (!enabled) await enable();
 * ```
 */
export function status(options?: CallOptions): Promise<StatusResponse> {
  return client().status(options);
}

/**
 * Enables Elastic Pulse for the knowledge base.
 *
 * @param options - the `region` to run in (`us-east-1` by default), per-call credentials, URL, timeout.
 * @example
 * ```ts
 * const { endpoint } = await enable({ region: 'eu-central-1' });
 * ```
 */
export function enable(options?: EnableOptions): Promise<EnableResponse> {
  return client().enable(options);
}

/**
 * Disables Elastic Pulse: connections and publishes are refused with `pulse_not_enabled` until {@link enable}.
 *
 * @param options - per-call credentials, URL, timeout, retries, `signal`.
 * @example
 * ```ts
 * await disable();
 * ```
 */
export function disable(options?: CallOptions): Promise<EnableResponse> {
  return client().disable(options);
}

/**
 * Publishes many events with bounded concurrency; one settled result per item (it never rejects for one item).
 *
 * @param items - `{ channel, event, data? }` each.
 * @param options - `concurrency`, per-call credentials, URL, timeout, retries, `signal`.
 * @example
 * ```ts
 * const results = await publishBatch(users.map((u) => ({ channel: u.privateChannel, event: 'notice', data: { text } })));
 * const failed = results.filter((r) => !r.ok);
 * ```
 */
export function publishBatch(items: readonly PublishBatchItem[], options?: PublishBatchOptions): Promise<PublishBatchResult[]> {
  return client().publishBatch(items, options);
}

/**
 * Closes the default client's pooled connections (a later call opens a new client).
 *
 * @example
 * ```ts
 * process.on('SIGTERM', () => void close());
 * ```
 */
export function close(): Promise<void> {
  const current = defaultClient;
  defaultClient = undefined;
  // The client's own promise: never an unhandled rejection when ignored (`void close()`).
  return current ? current.close() : Promise.resolve();
}

/** The default export: `import pulse from '@openkbs-pulse/server'`. */
const pulse = {
  /** Mints a client token: `(userId, options?)` with the environment's credentials, or `(kbId, apiKey, userId, options?)`. */
  getToken,
  /** {@inheritDoc publish} */
  publish,
  /** {@inheritDoc presence} */
  presence,
  /** {@inheritDoc channels} */
  channels,
  /** {@inheritDoc status} */
  status,
  /** {@inheritDoc enable} */
  enable,
  /** {@inheritDoc disable} */
  disable,
  /** {@inheritDoc publishBatch} */
  publishBatch,
  /** {@inheritDoc close} */
  close,
  /** {@inheritDoc createPulseClient} */
  createPulseClient,
  /** {@inheritDoc verifyToken} */
  verifyToken,
  /** {@inheritDoc decodeToken} */
  decodeToken,
};

export default pulse;
