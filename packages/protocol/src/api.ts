/**
 * The HTTP API that backends call (token minting, publish, presence, management).
 * Every call is `POST {apiUrl}` with a JSON body `{ action, kbId, apiKey, ... }`.
 * @module
 */
import { isErrorCode, type ErrorCode } from './errors.js';
import type { PresenceMember } from './frames.js';
import { parsePresenceMember } from './frames.js';
import { DEFAULT_REGION, isRegion, regionForEndpoint, type Region } from './regions.js';
import { fail, ok, type ParseResult } from './result.js';
import { isFiniteNumber, isNonEmptyString, isObject, type JsonObject } from './validate.js';

/** The hosted API. No path: every action is a POST to the root. */
export const DEFAULT_API_URL = 'https://kb.openkbs.com';

/**
 * Action names of the HTTP API, in one table so that they can be corrected in one place.
 * `createPulseToken` and `enableElasticPulse` are documented by OpenKBS; the others are not
 * public and follow the same naming.
 */
export const API_ACTIONS = Object.freeze({
  createToken: 'createPulseToken',
  publish: 'pulsePublish',
  presence: 'pulsePresence',
  status: 'pulseStatus',
  channels: 'pulseChannels',
  enable: 'enableElasticPulse',
  disable: 'disableElasticPulse',
} as const);

/** An HTTP API action name. */
export type ApiActionName = (typeof API_ACTIONS)[keyof typeof API_ACTIONS];

/** Fields every API request carries. */
export interface ApiCredentials {
  kbId: string;
  apiKey: string;
}

/** Body of each API request, by action name. */
export interface ApiRequests {
  createPulseToken: ApiCredentials & {
    userId: string;
    /** Token lifetime in seconds; the service may cap it (the hosted default is 24 h). */
    expiresIn?: number;
  };
  pulsePublish: ApiCredentials & { channel: string; event: string; data?: JsonObject | null };
  pulsePresence: ApiCredentials & { channel: string };
  pulseStatus: ApiCredentials;
  pulseChannels: ApiCredentials;
  enableElasticPulse: ApiCredentials & { region?: Region };
  disableElasticPulse: ApiCredentials;
}

/** A full request body: `{ action, ...fields }`. */
export type ApiRequest<A extends ApiActionName = ApiActionName> = { [K in A]: { action: K } & ApiRequests[K] }[A];

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
  /** At most {@link MAX_PRESENCE_MEMBERS} members. */
  members: PresenceMember[];
}

/** Answer to `pulseStatus`. */
export interface StatusResponse {
  enabled: boolean;
  region: Region;
  endpoint: string;
  /** Open connections of this kb. */
  connections: number;
  /** Channels with at least one subscriber or member. */
  channels: number;
}

/** One active channel. */
export interface ChannelInfo {
  channel: string;
  subscribers: number;
  presence: number;
}

/** Answer to `pulseChannels`. */
export interface ChannelsResponse {
  channels: ChannelInfo[];
}

/** Answer to `enableElasticPulse` / `disableElasticPulse`. */
export interface EnableResponse {
  enabled: boolean;
  region: Region;
  endpoint: string;
}

/** Answer of each API action, by action name. */
export interface ApiResponses {
  createPulseToken: TokenResponse;
  pulsePublish: PublishResponse;
  pulsePresence: PresenceResponse;
  pulseStatus: StatusResponse;
  pulseChannels: ChannelsResponse;
  enableElasticPulse: EnableResponse;
  disableElasticPulse: EnableResponse;
}

/** A failed API call's body. */
export interface ApiErrorBody {
  error: string;
  code?: ErrorCode;
}

/** The claims inside a Pulse token (HS256 JWT). */
export interface PulseTokenClaims {
  kbId: string;
  userId: string;
  region: Region;
  endpoint: string;
  /** Issued at, seconds since epoch. */
  iat: number;
  /** Expiry, seconds since epoch. */
  exp: number;
}

/** Whether a parsed body is an API error. */
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

type Validators = { [A in ApiActionName]: (body: JsonObject) => ParseResult<ApiResponses[A]> };

const endpointAndRegion = (body: JsonObject): string | undefined => {
  if (!isNonEmptyString(body.endpoint)) return 'endpoint must be a string';
  if (!isRegion(body.region)) return 'region must be us-east-1 or eu-central-1';
  return undefined;
};

const VALIDATORS: Validators = {
  createPulseToken(body) {
    if (!isNonEmptyString(body.token)) return invalid('token must be a string');
    if (!isNonEmptyString(body.endpoint)) return invalid('endpoint must be a string');
    // The hosted API documents only { token, endpoint, ... }: region and expiresIn are derived when absent.
    if (body.region !== undefined && !isRegion(body.region)) return invalid('region must be us-east-1 or eu-central-1');
    const region = (body.region as Region | undefined) ?? regionForEndpoint(body.endpoint) ?? DEFAULT_REGION;
    let expiresIn = body.expiresIn;
    if (expiresIn === undefined) {
      const exp = decodeTokenClaims(body.token)?.exp;
      if (typeof exp === 'number') expiresIn = Math.max(0, Math.round(exp - Date.now() / 1000));
    }
    if (!isFiniteNumber(expiresIn)) return invalid('expiresIn must be a number');
    return ok({ token: body.token, endpoint: body.endpoint, region, expiresIn });
  },
  pulsePublish(body) {
    if (!isFiniteNumber(body.delivered)) return invalid('delivered must be a number');
    if (!isFiniteNumber(body.timestamp)) return invalid('timestamp must be a number');
    return ok({ delivered: body.delivered, timestamp: body.timestamp });
  },
  pulsePresence(body) {
    if (!isFiniteNumber(body.count)) return invalid('count must be a number');
    const members = parseMembers(body.members);
    if (!members.ok) return members;
    return ok({ count: body.count, members: members.value });
  },
  pulseStatus(body) {
    if (typeof body.enabled !== 'boolean') return invalid('enabled must be a boolean');
    const problem = endpointAndRegion(body);
    if (problem) return invalid(problem);
    if (!isFiniteNumber(body.connections) || !isFiniteNumber(body.channels)) {
      return invalid('connections and channels must be numbers');
    }
    return ok(body as unknown as StatusResponse);
  },
  pulseChannels(body) {
    if (!Array.isArray(body.channels)) return invalid('channels must be an array');
    for (const info of body.channels) {
      if (!isObject(info) || !isNonEmptyString(info.channel) || !isFiniteNumber(info.subscribers) || !isFiniteNumber(info.presence)) {
        return invalid('each channel must be { channel, subscribers, presence }');
      }
    }
    return ok(body as unknown as ChannelsResponse);
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

/** Validates the successful answer of `action`. Never throws. */
export function parseApiResponse<A extends ApiActionName>(action: A, body: unknown): ParseResult<ApiResponses[A]> {
  if (!isObject(body)) return invalid('response must be a JSON object');
  const validate = VALIDATORS[action] as (body: JsonObject) => ParseResult<ApiResponses[A]>;
  return validate(body);
}

/**
 * Reads the claims of a JWT without verifying its signature (for routing decisions only:
 * the service verifies). Returns `undefined` for anything that is not a JWT with a JSON payload.
 */
export function decodeTokenClaims(token: string): Partial<PulseTokenClaims> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    // atob accepts unpadded input (forgiving base64), as JWTs are.
    const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isObject(claims) ? (claims as Partial<PulseTokenClaims>) : undefined;
  } catch {
    return undefined;
  }
}
