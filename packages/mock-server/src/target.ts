/**
 * The request-target of an HTTP request, read one way by every route of the service (the HTTP
 * API, `/stats`, the inspector, and the WebSocket upgrades of the service and the inspector feed).
 * @module
 */

/** A request-target's parts: its path as sent, its query, and in absolute form its host. */
export interface RequestTarget {
  /** The path exactly as sent (`/a/../stats` is not `/stats`, `//x/` is not `/`). */
  readonly pathname: string;
  readonly searchParams: URLSearchParams;
  /** The host of an absolute-form target (`http://127.0.0.1:4000/`), with its port; a server must use it, not `Host` (RFC 9112 §3.2.2). */
  readonly host?: string;
}

// RFC 3986's characters of a path segment (pchar: unreserved, sub-delims, `:`, `@`, `%`): a
// path with others (`[`, `\`) is no path, and no route's. A query is taken as browsers send it.
const PATH = /^(?:\/[\w\-.~%!$&'()*+,;=:@]*)+$/;
// scheme://authority path ?query (no fragment: clients do not send one). The authority is a host
// name or an IP literal, with a port: a target with user info or anything else is refused.
const ABSOLUTE = /^(?:https?|wss?):\/\/((?:\[[\da-f:.]+\]|[\w\-.~%!$&'()*+,;=]+)(?::\d*)?)(\/[^?#]*)?(?:\?([^#]*))?$/i;

/**
 * The request-target `target` (`req.url`): origin form (`/stats?x=1`) and absolute form
 * (`http://127.0.0.1:4000/stats?x=1`, what a client sends through a forwarding proxy, and which
 * RFC 9112 §3.2.2 says a server must accept) give the same path and query. The path is taken as
 * sent, not resolved as a URL would be (so a route is reached by its own path only). `undefined`
 * for any other form (`*`, an authority, another scheme, user info, a path with characters no
 * path has, such as `//[`): each route refuses that as it refuses a path it does not serve.
 * @param target - the request-target as Node gives it (`req.url`).
 */
export function requestTarget(target: string | undefined): RequestTarget | undefined {
  const raw = target ?? '/';
  const absolute = ABSOLUTE.exec(raw);
  if (absolute) return read(absolute[2] ?? '/', absolute[3], absolute[1]);
  if (!raw.startsWith('/')) return undefined;
  const query = raw.indexOf('?');
  return query < 0 ? read(raw) : read(raw.slice(0, query), raw.slice(query + 1));
}

function read(pathname: string, query = '', host?: string): RequestTarget | undefined {
  if (!PATH.test(pathname)) return undefined;
  return host === undefined ? { pathname, searchParams: new URLSearchParams(query) } : { pathname, searchParams: new URLSearchParams(query), host };
}
