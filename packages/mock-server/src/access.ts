/**
 * Who may talk to the local service from where: the cross-site rules that keep a web page in the
 * developer's browser from driving `pulse-local` (issue 12). One module, used by the WebSocket
 * upgrade, the HTTP API and every read-out (`/stats`, the inspector).
 *
 * The model:
 * - A browser always sends `Origin` on a WebSocket upgrade and on a cross-origin request; a
 *   backend or a test (Node, Deno, Bun, curl) sends none. Requests without `Origin` are allowed;
 *   with one, the origin must be a loopback origin (`http://localhost:5173`, `http://127.0.0.1:8080`,
 *   `http://[::1]:3000`) or listed in `allowedOrigins`.
 * - While the service listens on loopback only, the `Host` header must name a loopback host too:
 *   a page on `evil.example` whose DNS name was re-pointed at 127.0.0.1 (DNS rebinding) is then
 *   refused even though the browser sees it as same-origin.
 * - Read-outs (`GET /stats` and the like) list every tenant: on loopback the two rules above
 *   protect them; on any other interface they also need the default tenant's API key
 *   (`Authorization: Bearer <apiKey>`), since other machines can reach them.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { PulseError, shownValue } from '@openkbs-pulse/protocol';
import { requestTarget } from './target.js';

/** The access rules of one service. */
export interface AccessPolicy {
  /** Whether the service listens on a loopback interface only (not `0.0.0.0`, `::` or a LAN address). */
  readonly loopbackOnly: boolean;
  /**
   * Origins allowed besides loopback ones, exactly as browsers send them (`https://app.example:8443`,
   * no trailing slash); `'*'` allows every origin.
   */
  readonly allowedOrigins: readonly string[];
  /** The key read-outs need when the service is not on loopback only (the default tenant's API key). */
  readonly adminKey: string;
}

/** Whether a listen address (the `host` option) is loopback only. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  // 127.0.0.0/8, also as an IPv4-mapped IPv6 address.
  return /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The host name of a `Host` header (`localhost:8080` → `localhost`, `[::1]:80` → `::1`), or undefined when malformed. */
export function hostHeaderName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    return end > 1 ? header.slice(1, end) : undefined;
  }
  const colon = header.indexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

/** The host name of an origin (`http://localhost:5173` → `localhost`), or undefined when it is not an http(s) origin. */
function originHost(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.hostname;
}

/** A scheme://host[:port] origin of a scheme URL parsing gives no origin for (`chrome-extension://<id>`). */
const OTHER_ORIGIN = /^[a-z][a-z\d+.-]*:\/\/[^/?#\s]+$/;

/**
 * The `allowedOrigins` option as the origins browsers send, else a typed error naming it: a list
 * that is kept as given matches nothing when mistyped (a string was spread into its characters,
 * `https://app.example/` or `HTTPS://APP.EXAMPLE` never equals an `Origin` header), and the
 * page it was meant for was refused with 403 telling to use the very option that was set.
 * Each entry is `'*'`, `'null'`, or an origin: an http(s) one is written as browsers send it
 * (the same origin in another spelling, a trailing slash, upper case or the default port, is
 * taken as that origin); a path, query or credentials is refused, naming the origin to write.
 */
export function allowedOriginsOption(value: unknown): string[] {
  // null is the default, as for the other options.
  if (value == null) return [];
  if (typeof value === 'string' || typeof (value as Iterable<unknown> | null)?.[Symbol.iterator] !== 'function') {
    const got = typeof value === 'string' ? `the string ${JSON.stringify(value)}: put it in an array` : `a value of type ${value === null ? 'null' : typeof value}`;
    throw new PulseError('invalid_argument', `allowedOrigins must be an array of origins, e.g. ['https://app.example'] (got ${got})`);
  }
  return Array.from(value as Iterable<unknown>, allowedOrigin);
}

/** One entry of `allowedOrigins`, as browsers send it (see {@link allowedOriginsOption}). */
function allowedOrigin(entry: unknown): string {
  const refuse = (why: string) => new PulseError('invalid_argument', `allowedOrigins: ${shownValue(entry)} ${why}`);
  if (typeof entry !== 'string') throw refuse('is not a string: list origins such as "https://app.example"');
  if (entry === '*' || entry === 'null') return entry;
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {
    // Not a URL: the scheme is missing ("app.example"), and no browser sends an origin without one.
  }
  if (url?.protocol === 'http:' || url?.protocol === 'https:') {
    if (url.href === `${url.origin}/`) return url.origin;
    throw refuse(`is a URL, not an origin (scheme://host[:port], as browsers send Origin): write "${url.origin}"`);
  }
  if (url && OTHER_ORIGIN.test(entry)) return entry;
  throw refuse('is not an origin: write scheme://host[:port], e.g. "https://app.example" or "http://localhost:5173"');
}

/**
 * Whether a request with this `Origin` header may proceed: no header (not a browser), a loopback
 * origin, or one of `allowedOrigins` (`'*'` allows all). `null` (sandboxed frames, `file:` pages)
 * is only allowed by `'*'` or by listing `"null"`.
 */
export function originAllowed(origin: string | undefined, allowedOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowedOrigins.includes('*') || allowedOrigins.includes(origin)) return true;
  const host = originHost(origin);
  return host !== undefined && isLoopbackHost(host);
}

/**
 * Whether the `Host` header is acceptable: any host when the service listens beyond loopback
 * (it cannot know its public names), otherwise a loopback name only (defeats DNS rebinding).
 */
export function hostAllowed(hostHeader: string | undefined, policy: AccessPolicy): boolean {
  if (!policy.loopbackOnly) return true;
  const name = hostHeaderName(hostHeader);
  return name !== undefined && isLoopbackHost(name);
}

/**
 * The host a request is addressed to: an absolute-form target's own (the Host header is then
 * ignored, RFC 9112 §3.2.2), else the Host header. What every host rule of the service checks.
 */
export function requestHost(req: IncomingMessage): string | undefined {
  return requestTarget(req.url)?.host ?? req.headers.host;
}

/** Why a request is refused by the cross-site rules, or undefined when it may proceed. */
export function crossSiteProblem(req: IncomingMessage, policy: AccessPolicy): string | undefined {
  const host = requestHost(req);
  if (!hostAllowed(host, policy)) {
    return `Host "${host ?? ''}" is not a loopback name; the local service only answers requests addressed to localhost, 127.0.0.1 or [::1]`;
  }
  const origin = req.headers.origin;
  if (!originAllowed(origin, policy.allowedOrigins)) {
    return `Origin "${origin ?? ''}" is not allowed: pages on loopback origins are; add others with the allowedOrigins option or --allowed-origins`;
  }
  return undefined;
}

/**
 * Constant-time comparison of a secret someone sent with the expected one: both are hashed
 * first, so the comparison never depends on where they differ nor leaks the expected length.
 */
export function secretMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The bearer token of an `Authorization` header, if any. */
function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/**
 * Whether a read-out request (`GET /stats`, the inspector) may be answered: the cross-site rules
 * ({@link crossSiteProblem}), plus `Authorization: Bearer <apiKey>` of the default tenant unless the
 * service listens on loopback only.
 */
export function readoutAllowed(req: IncomingMessage, policy: AccessPolicy): boolean {
  if (crossSiteProblem(req, policy) !== undefined) return false;
  return policy.loopbackOnly || secretMatches(bearer(req), policy.adminKey);
}
