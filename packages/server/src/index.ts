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

/** Mints a client token with `OPENKBS_KB_ID` / `OPENKBS_API_KEY` (or `options`). */
export function getToken(userId: string, options?: TokenOptions): Promise<TokenResponse>;
/** Mints a client token (the seed's call shape); `undefined` credentials fall back to the environment. */
export function getToken(kbId: string | undefined, apiKey: string | undefined, userId: string, options?: TokenOptions): Promise<TokenResponse>;
export function getToken(...args: unknown[]): Promise<TokenResponse> {
  return (client().getToken as (...rest: unknown[]) => Promise<TokenResponse>)(...args);
}

/** Publishes `event` with `data` to every subscriber of `channel`. */
export function publish(channel: string, event: string, data?: PublishData, options?: CallOptions): Promise<PublishResponse> {
  return client().publish(channel, event, data, options);
}

/** The presence set of `channel`. */
export function presence(channel: string, options?: CallOptions): Promise<PresenceResponse> {
  return client().presence(channel, options);
}

/** Active channels. */
export function channels(options?: CallOptions): Promise<ChannelsResponse> {
  return client().channels(options);
}

/** Pulse status of the knowledge base. */
export function status(options?: CallOptions): Promise<StatusResponse> {
  return client().status(options);
}

/** Enables Elastic Pulse. */
export function enable(options?: EnableOptions): Promise<EnableResponse> {
  return client().enable(options);
}

/** Disables Elastic Pulse. */
export function disable(options?: CallOptions): Promise<EnableResponse> {
  return client().disable(options);
}

/** Publishes many events with bounded concurrency; one settled result per item. */
export function publishBatch(items: readonly PublishBatchItem[], options?: PublishBatchOptions): Promise<PublishBatchResult[]> {
  return client().publishBatch(items, options);
}

/** Closes the default client's pooled connections (a later call opens a new client). */
export async function close(): Promise<void> {
  const current = defaultClient;
  defaultClient = undefined;
  await current?.close();
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
