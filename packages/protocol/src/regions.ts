/**
 * Regions and their WebSocket endpoints.
 * @module
 */

/** Regions where Elastic Pulse runs. */
export const REGIONS = ['us-east-1', 'eu-central-1'] as const;

/** A region name. */
export type Region = (typeof REGIONS)[number];

/** The region used when none is given. */
export const DEFAULT_REGION: Region = 'us-east-1';

/** WebSocket endpoint of each region. */
export const REGION_ENDPOINTS: Readonly<Record<Region, string>> = /* @__PURE__ */ Object.freeze({
  'us-east-1': 'wss://pulse.vpc1.us',
  'eu-central-1': 'wss://pulse.vpc1.eu',
});

/**
 * Whether `value` is a known {@link Region}.
 *
 * @param value - anything, e.g. a command-line argument.
 * @example
 * ```ts
 * if (!isRegion(flag)) throw new Error(`--region must be ${REGIONS.join(' or ')}`);
 * ```
 */
export function isRegion(value: unknown): value is Region {
  return value === 'us-east-1' || value === 'eu-central-1';
}

/**
 * The WebSocket endpoint of `region`.
 *
 * @param region - a known region.
 * @example
 * ```ts
 * endpointForRegion('eu-central-1'); // 'wss://pulse.vpc1.eu'
 * ```
 */
export function endpointForRegion(region: Region): string {
  return REGION_ENDPOINTS[region];
}

/** The hosted domain a region host may be written under (`pulse.vpc1.eu.openkbs.com`). */
const HOSTED_DOMAIN = '.openkbs.com';

/**
 * Whether `endpoint` is a WebSocket URL a client can connect to: `ws://` or `wss://` with a host.
 * The one rule for an endpoint, wherever it comes from: the client's `endpoint` option, a token's
 * `endpoint` claim, an auth answer, and the HTTP API's answers the server SDK checks.
 *
 * @param endpoint - anything; only such a URL string passes.
 * @example
 * ```ts
 * isEndpoint('wss://pulse.vpc1.us'); // true
 * isEndpoint('https://kb.openkbs.com'); // false: the HTTP API's URL, not a WebSocket one
 * ```
 */
export const isEndpoint = (endpoint: unknown): endpoint is string =>
  // URL.canParse is missing in older browsers: there the pattern alone decides.
  typeof endpoint === 'string' && /^wss?:\/\/[^/?#\s]/i.test(endpoint) && URL.canParse?.(endpoint) !== false;

/**
 * The region an endpoint belongs to, or `undefined` for an endpoint that is not a hosted one
 * (a local service, a proxy). The host must be a region's host exactly (`pulse.vpc1.eu`) or
 * that host under `.openkbs.com` (`pulse.vpc1.eu.openkbs.com`); any other host, such as
 * `pulse.vpc1.eu.example.com`, has no region. Scheme, port, path and letter case are ignored.
 *
 * @param endpoint - a WebSocket URL or host.
 * @example
 * ```ts
 * regionForEndpoint('wss://pulse.vpc1.eu'); // 'eu-central-1'
 * regionForEndpoint('ws://127.0.0.1:8080'); // undefined: a local service
 * ```
 */
export function regionForEndpoint(endpoint: string): Region | undefined {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return undefined;
  }
  for (const region of REGIONS) {
    const regionHost = new URL(REGION_ENDPOINTS[region]).hostname;
    if (host === regionHost || host === regionHost + HOSTED_DOMAIN) return region;
  }
  return undefined;
}

/** Query parameters of the WebSocket connect URL. */
export interface ConnectParams {
  /** The knowledge base to connect to. */
  kbId: string;
  /** A Pulse token (JWT) minted for that knowledge base. */
  token: string;
  /** Channel to subscribe to as soon as the connection opens. */
  channel?: string | undefined;
}

/**
 * `${endpoint}?kbId=...&token=...[&channel=...]`, keeping any query the endpoint already has.
 *
 * @param endpoint - the WebSocket endpoint.
 * @param params - `kbId`, `token` and an optional first `channel`.
 * @example
 * ```ts
 * buildConnectUrl('wss://pulse.vpc1.us', { kbId, token, channel: 'chat' });
 * // 'wss://pulse.vpc1.us/?kbId=...&token=...&channel=chat'
 * ```
 */
export function buildConnectUrl(endpoint: string, params: ConnectParams): string {
  const url = new URL(endpoint);
  const query = url.searchParams;
  query.set('kbId', params.kbId);
  query.set('token', params.token);
  if (params.channel !== undefined) query.set('channel', params.channel);
  return url.toString();
}
