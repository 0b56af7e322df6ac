/**
 * The HTTP API that backends call (token minting, publish, presence, management).
 * Every call is `POST {apiUrl}` with a JSON body `{ action, kbId, apiKey, ... }`.
 * @module
 */
import { isErrorCode, type ErrorCode } from './errors.js';
import type { PresenceMember } from './frames.js';
import { parsePresenceMember } from './frames.js';
import { DEFAULT_REGION, isEndpoint, isRegion, regionForEndpoint, type Region } from './regions.js';
import { fail, ok, type ParseResult } from './result.js';
import { MAX_NESTING_DEPTH } from './limits.js';
import {
  channelNameProblem,
  isCount,
  isFiniteNumber,
  isNonEmptyString,
  isObject,
  isTimestamp,
  parsedJsonProblem,
  presenceCountProblem,
  type JsonObject,
} from './validate.js';

/** The hosted API. No path: every action is a POST to the root. */
export const DEFAULT_API_URL = 'https://kb.openkbs.com';

/**
 * Action names of the HTTP API, in one table so that they can be corrected in one place.
 * `createPulseToken` and `enableElasticPulse` are documented by OpenKBS; the others are not
 * public and follow the same naming.
 */
export const API_ACTIONS = /* @__PURE__ */ Object.freeze({
  /** Mint a token a client connects with. */
  createToken: 'createPulseToken',
  /** Publish a message to a channel from a backend. */
  publish: 'pulsePublish',
  /** Read a channel's presence set. */
  presence: 'pulsePresence',
  /** Read whether Pulse is enabled, its region and usage. */
  status: 'pulseStatus',
  /** List the active channels. */
  channels: 'pulseChannels',
  /** Turn Elastic Pulse on for a knowledge base. */
  enable: 'enableElasticPulse',
  /** Turn Elastic Pulse off for a knowledge base. */
  disable: 'disableElasticPulse',
} as const);

/** An HTTP API action name. */
export type ApiActionName = (typeof API_ACTIONS)[keyof typeof API_ACTIONS];

/** Fields every API request carries. */
export interface ApiCredentials {
  /** The knowledge base the call is about. */
  kbId: string;
  /** The knowledge base's secret API key; keep it on the backend. */
  apiKey: string;
}

/** Body of each API request, by action name. */
export interface ApiRequests {
  /** Mint a token for one user. */
  createPulseToken: ApiCredentials & {
    /** The user the token identifies; shown as `userId` in presence. */
    userId: string;
    /** Token lifetime in seconds; the service may cap it (the hosted default is 24 h). */
    expiresIn?: number;
  };
  /** Publish to every subscriber of a channel. */
  pulsePublish: ApiCredentials & {
    /** The channel to publish to. */
    channel: string;
    /** Event name; subscribers receive it as `data.type`. */
    event: string;
    /** A JSON object (its `type`, if any, must equal `event`). */
    data?: JsonObject | null;
  };
  /** Read a channel's presence set. */
  pulsePresence: ApiCredentials & {
    /** The channel whose members are wanted. */
    channel: string;
  };
  /** Read the knowledge base's Pulse status. */
  pulseStatus: ApiCredentials;
  /** List the channels with subscribers or members. */
  pulseChannels: ApiCredentials;
  /** Enable Elastic Pulse. */
  enableElasticPulse: ApiCredentials & {
    /** Region to run in; when omitted the knowledge base keeps its current region. */
    region?: Region;
  };
  /** Disable Elastic Pulse; new connections are refused. */
  disableElasticPulse: ApiCredentials;
}

/** A full request body: `{ action, ...fields }`. */
export type ApiRequest<A extends ApiActionName = ApiActionName> = {
  [K in A]: {
    /** The API action name (see {@link API_ACTIONS}). */
    action: K;
  } & ApiRequests[K];
}[A];

/** Answer to `createPulseToken`. */
export interface TokenResponse {
  /** The JWT a client connects with. */
  token: string;
  /** WebSocket endpoint to connect to. */
  endpoint: string;
  /** Region of the endpoint. */
  region: Region;
  /** Seconds until the token expires. */
  expiresIn: number;
}

/** Answer to `pulsePublish`. */
export interface PublishResponse {
  /** How many connections the message was delivered to. */
  delivered: number;
  /** When the service accepted the message (ms since epoch). */
  timestamp: number;
}

/** Answer to `pulsePresence`. */
export interface PresenceResponse {
  /** Exact number of members. */
  count: number;
  /** At most {@link @openkbs-pulse/protocol!MAX_PRESENCE_MEMBERS | MAX_PRESENCE_MEMBERS} members. */
  members: PresenceMember[];
}

/** Answer to `pulseStatus`. */
export interface StatusResponse {
  /** Whether Elastic Pulse is on for this kb. */
  enabled: boolean;
  /** The region the kb's Pulse runs in. */
  region: Region;
  /** WebSocket endpoint clients of this kb connect to. */
  endpoint: string;
  /** Open connections of this kb. */
  connections: number;
  /** Channels with at least one subscriber or member. */
  channels: number;
}

/** One active channel. */
export interface ChannelInfo {
  /** The channel name. */
  channel: string;
  /** Connections subscribed to it. */
  subscribers: number;
  /** Members in its presence set. */
  presence: number;
}

/** Answer to `pulseChannels`. */
export interface ChannelsResponse {
  /** The channels with at least one subscriber or member. */
  channels: ChannelInfo[];
}

/** Answer to `enableElasticPulse` / `disableElasticPulse`. */
export interface EnableResponse {
  /** Whether Elastic Pulse is now on. */
  enabled: boolean;
  /** The region it runs in. */
  region: Region;
  /** WebSocket endpoint clients connect to. */
  endpoint: string;
}

/** Answer of each API action, by action name. */
export interface ApiResponses {
  /** The minted token and where to connect with it. */
  createPulseToken: TokenResponse;
  /** Delivery count and acceptance time. */
  pulsePublish: PublishResponse;
  /** The channel's members. */
  pulsePresence: PresenceResponse;
  /** Whether Pulse is on, where, and its usage. */
  pulseStatus: StatusResponse;
  /** The active channels. */
  pulseChannels: ChannelsResponse;
  /** The state after enabling. */
  enableElasticPulse: EnableResponse;
  /** The state after disabling (`enabled: false`). */
  disableElasticPulse: EnableResponse;
}

/** A failed API call's body. */
export interface ApiErrorBody {
  /** Human-readable text. */
  error: string;
  /** Stable code, when the service sent a known one. */
  code?: ErrorCode;
}

/** The claims inside a Pulse token (HS256 JWT). */
export interface PulseTokenClaims {
  /** The knowledge base the token is valid for. */
  kbId: string;
  /** The user the token was minted for. */
  userId: string;
  /** Region of {@link PulseTokenClaims.endpoint}. */
  region: Region;
  /** WebSocket endpoint the token is meant for (lets a client omit `endpoint`). */
  endpoint: string;
  /** Issued at, seconds since epoch. */
  iat: number;
  /** Expiry, seconds since epoch. */
  exp: number;
}

/**
 * Whether a parsed body is an API error.
 *
 * @param body - a parsed JSON answer of the HTTP API.
 * @example
 * ```ts
 * const error = parseApiError(await response.json()); // { error, code? } or undefined
 * ```
 */
export function parseApiError(body: unknown): ApiErrorBody | undefined {
  if (!isObject(body) || typeof body.error !== 'string') return undefined;
  return isErrorCode(body.code) ? { error: body.error, code: body.code } : { error: body.error };
}

const invalid = (message: string) => fail('invalid_response', message);

function parseMembers(value: unknown): ParseResult<PresenceMember[]> {
  if (!Array.isArray(value)) return invalid('members must be an array');
  for (const member of value) {
    const checked = parsePresenceMember(member);
    if (!checked.ok) return invalid(checked.message);
  }
  return ok(value as PresenceMember[]);
}

/**
 * Why an entry of a channel listing is not `{ channel, subscribers, presence }`: the name by the
 * rule every channel name follows (a name a client could never subscribe to is not a channel),
 * the two counts as counts.
 */
function channelInfoProblem(info: unknown): string | undefined {
  if (!isObject(info)) return 'each channel must be { channel, subscribers, presence }';
  const name = channelNameProblem(info.channel);
  if (name) return `channels: ${name}`;
  if (!isCount(info.subscribers) || !isCount(info.presence)) return `channels: subscribers and presence of ${JSON.stringify(info.channel)} must be non-negative integers`;
  return undefined;
}

/** `now`: the caller's time in ms (its injected clock's), which a token's `exp` is judged by. */
type Validators = { [A in ApiActionName]: (body: JsonObject, now: number) => ParseResult<ApiResponses[A]> };

/** How far this server's clock may run ahead of the service's before a fresh token looks expired. */
const TOKEN_ANSWER_CLOCK_LEEWAY_MS = 60_000;

/** A channel entry of a `pulseChannels` answer, its checked fields only. */
const channelInfo = (info: JsonObject): ChannelInfo => ({ channel: info.channel as string, subscribers: info.subscribers as number, presence: info.presence as number });

/**
 * Why `token` and the `endpoint` it came with could never connect, or `undefined` when they can:
 * the token must be a JWT whose `endpoint` claim, if any, is a WebSocket URL, and the endpoint a
 * WebSocket URL. The client refuses a token or endpoint that fails it ({@link decodeTokenClaims},
 * {@link isEndpoint}), so the server SDK refuses such an answer too, where the wrong `apiUrl` that
 * usually causes it can be seen, rather than hand the browser something that fails there.
 *
 * @param token - the token of an answer (anything).
 * @param endpoint - the endpoint of the same answer (anything).
 * @example
 * ```ts
 * tokenAnswerProblem('not-a-jwt', 'wss://pulse.vpc1.us'); // 'token is not a JWT'
 * ```
 */
export function tokenAnswerProblem(token: unknown, endpoint: unknown): string | undefined {
  if (!isNonEmptyString(token)) return 'token must be a string';
  const claims = decodeTokenClaims(token);
  if (!claims) return 'token is not a JWT';
  if (claims.endpoint !== undefined && !isEndpoint(claims.endpoint)) return 'token endpoint claim is not a ws(s):// URL';
  return isEndpoint(endpoint) ? undefined : 'endpoint is not a ws(s):// URL';
}

/**
 * Why `token` is not a token for `userId` in `kbId`, or `undefined` when it is: a `kbId` or
 * `userId` claim that names another kb or user. A claim that is absent is not checked (the hosted
 * API documents none), as the client checks the kbId claim ({@link decodeTokenClaims}).
 *
 * @param token - a token as the service answered it (anything).
 * @param kbId - the kb the token was asked for.
 * @param userId - the user the token was asked for.
 * @example
 * ```ts
 * tokenClaimsProblem(token, 'kb-1', 'alice'); // 'token is for kbId "kb-2", not "kb-1"' when it is
 * ```
 */
export function tokenClaimsProblem(token: unknown, kbId: string, userId: string): string | undefined {
  const claims = decodeTokenClaims(token);
  if (typeof claims?.kbId === 'string' && claims.kbId !== kbId) return `token is for kbId ${JSON.stringify(claims.kbId)}, not ${JSON.stringify(kbId)}`;
  if (typeof claims?.userId === 'string' && claims.userId !== userId) return `token is for userId ${JSON.stringify(claims.userId)}, not ${JSON.stringify(userId)}`;
  return undefined;
}

const endpointAndRegion = (body: JsonObject): string | undefined => {
  if (!isEndpoint(body.endpoint)) return 'endpoint must be a ws(s):// URL';
  if (!isRegion(body.region)) return 'region must be us-east-1 or eu-central-1';
  return undefined;
};

const VALIDATORS: Validators = {
  createPulseToken(body, now) {
    const problem = tokenAnswerProblem(body.token, body.endpoint);
    if (problem) return invalid(problem);
    const token = body.token as string;
    const endpoint = body.endpoint as string;
    // The hosted API documents only { token, endpoint, ... }: region and expiresIn are derived when absent.
    if (body.region !== undefined && !isRegion(body.region)) return invalid('region must be us-east-1 or eu-central-1');
    const region = (body.region as Region | undefined) ?? regionForEndpoint(endpoint) ?? DEFAULT_REGION;
    const exp = decodeTokenClaims(token)?.exp;
    // A token that expired before it was handed out can never connect: by its own `exp` (a minute
    // of leeway for the two clocks), whatever `expiresIn` says, or by `expiresIn`.
    if (typeof exp === 'number' && exp * 1000 < now - TOKEN_ANSWER_CLOCK_LEEWAY_MS) return invalid('token has already expired (its exp claim has passed): check the clock of this server');
    let expiresIn = body.expiresIn;
    if (expiresIn === undefined && typeof exp === 'number') expiresIn = Math.max(0, Math.round(exp - now / 1000));
    if (!isFiniteNumber(expiresIn) || expiresIn < 0) return invalid('expiresIn must be a non-negative number');
    return ok({ token, endpoint, region, expiresIn });
  },
  pulsePublish(body) {
    if (!isCount(body.delivered)) return invalid('delivered must be a non-negative integer');
    // The rule of a message frame's timestamp: the same time, whichever way it arrives.
    if (!isTimestamp(body.timestamp)) return invalid('timestamp must be a time in ms since the epoch, within the range of a Date');
    return ok({ delivered: body.delivered, timestamp: body.timestamp });
  },
  pulsePresence(body) {
    // The rule of a presence sync frame: the same data, whichever way it arrives.
    const problem = presenceCountProblem(body.count, body.members);
    if (problem) return invalid(problem);
    const members = parseMembers(body.members);
    if (!members.ok) return members;
    return ok({ count: body.count as number, members: members.value });
  },
  pulseStatus(body) {
    if (typeof body.enabled !== 'boolean') return invalid('enabled must be a boolean');
    const problem = endpointAndRegion(body);
    if (problem) return invalid(problem);
    if (!isCount(body.connections) || !isCount(body.channels)) {
      return invalid('connections and channels must be non-negative integers');
    }
    // The known fields only: what is returned is what was checked.
    return ok({ enabled: body.enabled, region: body.region as Region, endpoint: body.endpoint as string, connections: body.connections, channels: body.channels });
  },
  pulseChannels(body) {
    if (!Array.isArray(body.channels)) return invalid('channels must be an array');
    for (const info of body.channels) {
      const problem = channelInfoProblem(info);
      if (problem) return invalid(problem);
    }
    return ok({ channels: (body.channels as JsonObject[]).map(channelInfo) });
  },
  enableElasticPulse: enableValidator,
  disableElasticPulse: enableValidator,
};

function enableValidator(body: JsonObject): ParseResult<EnableResponse> {
  if (typeof body.enabled !== 'boolean') return invalid('enabled must be a boolean');
  const problem = endpointAndRegion(body);
  if (problem) return invalid(problem);
  return ok({ enabled: body.enabled, region: body.region as Region, endpoint: body.endpoint as string });
}

/**
 * Validates the successful answer of `action`. Never throws.
 *
 * @param action - the API action the answer is for.
 * @param body - the parsed JSON answer.
 * @param now - the time of the caller, in ms since the epoch: a token answer's `exp` is judged by
 *   it, so pass the `clock` a caller was given (a service on a fake clock mints tokens of its time).
 * @example
 * ```ts
 * const result = parseApiResponse(API_ACTIONS.publish, body);
 * if (result.ok) console.log(result.value.delivered);
 * else console.error(result.message);
 * ```
 */
export function parseApiResponse<A extends ApiActionName>(action: A, body: unknown, now: number = Date.now()): ParseResult<ApiResponses[A]> {
  if (!isObject(body)) return invalid('response must be a JSON object');
  // The rule every frame follows (parseServerFrame): the same data, whichever way it arrives. An
  // own "__proto__" key pollutes the prototype of a copy made with Object.assign or spread, and a
  // value nested thousands of levels deep cannot be serialized again (JSON.stringify overflows).
  const problem = parsedJsonProblem(body, MAX_NESTING_DEPTH);
  if (problem === 'depth') return invalid(`response is nested too deeply (over ${MAX_NESTING_DEPTH} levels)`);
  if (problem) return invalid('response must not contain a "__proto__" key');
  const validate = VALIDATORS[action] as (body: JsonObject, now: number) => ParseResult<ApiResponses[A]>;
  return validate(body, now);
}

/**
 * Reads the claims of a JWT without verifying its signature (for routing decisions only:
 * the service verifies). Never throws: returns `undefined` for anything that is not a JWT
 * with a JSON object payload, a value that is not a string included.
 *
 * @param token - anything; only a JWT string gives claims.
 * @example
 * ```ts
 * const claims = decodeTokenClaims(token);
 * if (claims?.kbId !== kbId) console.warn('this token is for another kb');
 * ```
 */
export function decodeTokenClaims(token: unknown): Partial<PulseTokenClaims> | undefined {
  try {
    // atob accepts unpadded input (forgiving base64), as JWTs are. A token without a payload
    // fails here too: a missing one has no `replace`, an empty one is not JSON.
    const claims: unknown =
      typeof token === 'string' &&
      JSON.parse(
        new TextDecoder().decode(Uint8Array.from(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))),
      );
    return isObject(claims) ? (claims as Partial<PulseTokenClaims>) : undefined;
  } catch {
    return undefined;
  }
}
