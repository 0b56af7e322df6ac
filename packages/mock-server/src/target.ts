/**
 * The request-target of an HTTP request, read one way by every route of the service (the HTTP
 * API, `/stats`, the inspector, and the WebSocket upgrades of the service and the inspector feed).
 * @module
 */

/**
 * The request-target `target` (`req.url`) as a URL: origin form (`/stats?x=1`) and absolute form
 * (`http://127.0.0.1:4000/stats?x=1`, what a client sends through a forwarding proxy, and which
 * RFC 9112 §3.2.2 says a server must accept) give the same path and query. `undefined` when it is
 * no URL at all (`//[`): each route refuses that as it refuses a path it does not serve.
 * @param target - the request-target as Node gives it (`req.url`).
 */
export function requestTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://local');
  } catch {
    return undefined;
  }
}
