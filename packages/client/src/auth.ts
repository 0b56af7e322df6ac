/**
 * Token refresh: where a fresh token comes from when the current one expires.
 * @module
 */
import { decodeTokenClaims, PulseError } from '@openkbs-pulse/protocol';

/** What an auth source returns: a token, or a token with the endpoint to use. */
export type AuthResult =
  | string
  | {
      /** The fresh JWT. */
      token: string;
      /** WebSocket endpoint to use from now on (else the token's claim, the option, or the region's). */
      endpoint?: string;
    };

/** Returns a fresh token (called when the current one has expired). */
export type AuthCallback = () => Promise<AuthResult> | AuthResult;

/** Where fresh tokens come from. */
export interface AuthSource {
  authCallback?: AuthCallback | undefined;
  /** GET this URL (with cookies); the answer is JSON `{ token, endpoint? }` or the token as text. */
  authUrl?: string | undefined;
  fetch?: typeof fetch | undefined;
}

/** Whether the token's `exp` claim has passed at `nowMs` (unknown `exp`: not expired). */
export function isTokenExpired(token: string, nowMs: number): boolean {
  const exp = decodeTokenClaims(token)?.exp;
  return typeof exp === 'number' && exp * 1000 <= nowMs;
}

/** Fetches a fresh token, or `undefined` when no source is configured. */
export async function refreshToken(source: AuthSource): Promise<{ token: string; endpoint?: string } | undefined> {
  let result: AuthResult;
  if (source.authCallback) result = await source.authCallback();
  else if (source.authUrl) {
    const response = await (source.fetch ?? fetch)(source.authUrl, { credentials: 'include' });
    if (!response.ok) throw new PulseError('invalid_response', `authUrl: HTTP ${response.status}`);
    const text = (await response.text()).trim();
    result = text.startsWith('{') ? (JSON.parse(text) as AuthResult) : text;
  } else return undefined;
  const fresh = typeof result === 'string' ? { token: result } : result;
  if (!fresh || typeof fresh.token !== 'string' || !fresh.token) {
    throw new PulseError('invalid_response', 'no token from auth');
  }
  return fresh;
}
