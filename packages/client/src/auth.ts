/**
 * Token refresh: where a fresh token comes from when the current one expires, and the checks a
 * token must pass before the client connects with it.
 * @module
 */
// isEndpoint is the protocol's rule: the server SDK refuses the answers this client would refuse.
import { decodeTokenClaims, isEndpoint, PulseError, shownValue, type Clock } from '@openkbs-pulse/protocol';

/** What an auth source returns: a token, or a token with the endpoint to use. */
export type AuthResult =
  | string
  | {
      /** The fresh JWT. */
      token: string;
      /**
       * WebSocket endpoint to use from now on, until an answer names another. It comes before the
       * client's `endpoint` option, the token's `endpoint` claim and the region's endpoint, which
       * are used (in that order) while no answer named one.
       */
      endpoint?: string;
    };

/** Returns a fresh token (called when the current one has expired). */
export type AuthCallback = () => Promise<AuthResult> | AuthResult;

/** Where fresh tokens come from. */
export interface AuthSource {
  authCallback?: AuthCallback | undefined;
  /** GET this URL (with cookies); the answer is JSON `{ token, endpoint? }` or the token as text. */
  authUrl?: string | URL | undefined;
  fetch?: typeof fetch | undefined;
}

/** A token with the endpoint it came with. */
export interface FreshToken {
  token: string;
  endpoint?: string | undefined;
}

/** Whether the token's `exp` claim has passed at `nowMs` (unknown `exp`: not expired). */
export const isTokenExpired = (token: string, nowMs: number): boolean => {
  const exp = decodeTokenClaims(token)?.exp;
  return typeof exp === 'number' && exp * 1000 <= nowMs;
};

/**
 * Why `token` cannot be used to connect to `kbId`, as the error to fail with; `undefined` when it can.
 * Only what the client can know: the shape, the kbId claim, and the endpoint claim. A token that
 * is missing, not a string (the whole `{ token, endpoint }` answer) or not a JWT is
 * `invalid_token`, as the server SDK's `decodeToken` / `verifyToken` refuse it.
 */
export const tokenProblem = (token: unknown, kbId: string): PulseError | undefined => {
  if (typeof token !== 'string' || !token) {
    return new PulseError(
      'invalid_token',
      `token must be the JWT string, not ${(token as { token?: unknown })?.token ? 'the whole { token, endpoint } object: pass its .token' : shownValue(token)}`,
    );
  }
  const claims = decodeTokenClaims(token);
  if (!claims) return new PulseError('invalid_token', 'token is not a JWT: pass the token from getToken() unchanged');
  if (typeof claims.kbId === 'string' && claims.kbId !== kbId) {
    return new PulseError('kb_mismatch', `token is for kbId "${claims.kbId}", not "${kbId}"`);
  }
  if (claims.endpoint !== undefined && !isEndpoint(claims.endpoint)) {
    return new PulseError('invalid_token', 'token endpoint is not a ws(s):// URL');
  }
  return undefined;
};

/**
 * Fetches a fresh token, or `undefined` when no source is configured. Rejects with `timeout`
 * after `timeoutMs`, with `aborted` once `stop` is aborted (the client stopped waiting:
 * disconnect()), and with `invalid_response` when the answer is not a token (or its endpoint not
 * a WebSocket URL). However it ends, its timer is cleared and an `authUrl` request still running
 * is aborted, so nothing of it keeps a Node process alive.
 */
export const refreshToken = (source: AuthSource, clock: Clock, timeoutMs: number, stop: AbortController): Promise<FreshToken | undefined> =>
  new Promise((resolve, reject) => {
    if (!source.authCallback && !source.authUrl) return resolve(undefined);
    // Every way it ends (the deadline, `stop`, an answer) runs this; rejecting after an answer does nothing.
    const end = (error = new PulseError('aborted', 'disconnect() came first')): void => {
      reject(error);
      clock.clearTimeout(timer);
      stop.abort();
    };
    const timer = clock.setTimeout(() => end(new PulseError('timeout', `no token within ${timeoutMs} ms (authTimeoutMs)`)), timeoutMs);
    stop.signal.addEventListener('abort', () => end());
    fetchToken(source, stop.signal)
      // An answer that looks expired is not refused here: this device's clock may be ahead of the
      // service's. The engine tries it once; the service's refusal ends in `failed`, not a loop.
      .then((answer) => resolve(checkAnswer(answer)))
      .catch(reject)
      .finally(end);
  });

/** The answer of the auth source. */
const fetchToken = async (source: AuthSource, signal: AbortSignal): Promise<unknown> => {
  if (source.authCallback) return source.authCallback();
  const response = await (source.fetch ?? fetch)(source.authUrl!, { credentials: 'include', signal });
  if (!response.ok) throw new PulseError('invalid_response', `authUrl: HTTP ${response.status}`, { statusCode: response.status });
  const text = (await response.text()).trim();
  return text.startsWith('{') ? JSON.parse(text) : text;
};

const checkAnswer = (answer: unknown): FreshToken => {
  const fresh = (typeof answer === 'string' ? { token: answer } : answer) as Partial<FreshToken> | null;
  if (typeof fresh?.token !== 'string' || !fresh.token) throw new PulseError('invalid_response', 'auth answer has no token');
  if (fresh.endpoint != null && !isEndpoint(fresh.endpoint)) throw new PulseError('invalid_response', 'auth answer endpoint is not a ws(s):// URL');
  return { token: fresh.token, endpoint: fresh.endpoint ?? undefined };
};
