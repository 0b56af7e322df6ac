/**
 * Helpers for backends to inspect the tokens they mint: `decodeToken` reads the claims
 * without checking the signature; `verifyToken` checks an HS256 signature (e.g. with the
 * local service's `secret`) and the expiry.
 * @module
 */
import { decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { errorMessage, isRegion, PulseError, SECRET_RULE, secretKeyBytes, shownValue, tokenRequestProblem, type Clock, type ErrorCode, type PulseTokenClaims } from '@openkbs-pulse/protocol';
import { reported } from './reported.js';

/** Claims of a Pulse token, plus any other claims it carries. */
export type DecodedPulseToken = PulseTokenClaims & Record<string, unknown>;

/** The error of `code`, its message ending with the code's fix and docs section (errorMessage). */
const tokenError = (code: ErrorCode, detail: string, cause?: unknown): PulseError =>
  new PulseError(code, errorMessage(code, detail), cause === undefined ? {} : { cause });

function checkClaims(payload: Record<string, unknown>): DecodedPulseToken {
  const { kbId, userId, endpoint, region, iat, exp } = payload;
  if (typeof kbId !== 'string' || typeof userId !== 'string' || typeof endpoint !== 'string') {
    throw tokenError('invalid_token', 'token is missing the kbId, userId or endpoint claim');
  }
  // The rule tokens are minted by, which the service applies to every token it is shown.
  const userIdProblem = tokenRequestProblem(userId);
  if (userIdProblem) throw tokenError('invalid_token', `token ${userIdProblem}`);
  if (region !== undefined && !isRegion(region)) throw tokenError('invalid_token', 'token has an unknown region claim');
  if (typeof exp !== 'number' || (iat !== undefined && typeof iat !== 'number')) {
    throw tokenError('invalid_token', 'token is missing a numeric exp claim');
  }
  return payload as DecodedPulseToken;
}

/**
 * Reads the claims of a Pulse token WITHOUT verifying its signature (for display and
 * routing only; never for authorization).
 * @throws PulseError `invalid_token` when it is not a JWT with Pulse claims.
 * @param token - a Pulse client token (a JWT).
 * @example
 * ```ts
 * const { kbId, userId, endpoint, exp } = decodeToken(token); // no signature check
 * ```
 */
export function decodeToken(token: string): DecodedPulseToken {
  if (typeof token !== 'string' || token === '') throw tokenError('invalid_token', 'token must be a non-empty string');
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token);
  } catch (error) {
    throw tokenError('invalid_token', 'token is not a valid JWT', error);
  }
  return checkClaims(payload);
}

/** Options of {@link verifyToken}. */
export interface VerifyTokenOptions {
  /** Require this kbId claim (else `kb_mismatch`). */
  kbId?: string | undefined;
  /** Allowed clock skew, in seconds: a non-negative number (a string is refused). @default 0 */
  clockToleranceSeconds?: number | undefined;
  /** Time source for the expiry check. @default the system clock */
  clock?: Pick<Clock, 'now'> | undefined;
}

/**
 * Verifies a Pulse token's HS256 signature and expiry, and returns its claims.
 * @param secret - the HS256 key (a string is used as its UTF-8 bytes).
 * @throws PulseError `token_expired`, `invalid_token` or `kb_mismatch`; `invalid_argument` for an
 * empty secret or a bad option (a `clockToleranceSeconds` that is not a non-negative number, a
 * `clock` whose `now()` is not a time), never reported as a bad token.
 * @param token - a Pulse client token (a JWT).
 * @param options - `kbId` to require, clock tolerance and time source.
 * @example
 * ```ts
 * // tokens you sign yourself, or the local service's (createPulseService({ secret }))
 * const { userId } = await verifyToken(token, process.env.PULSE_SIGNING_SECRET!, { kbId });
 * ```
 */
export function verifyToken(token: string, secret: string | Uint8Array, options: VerifyTokenOptions = {}): Promise<DecodedPulseToken> {
  // Ignored, a rejection must not crash the process either (reported.ts).
  return reported('verifyToken', undefined, () => verifySignedToken(token, secret, options));
}

/**
 * The options of jose's check, from ours, checked first: jose throws a TypeError for a bad one,
 * which would otherwise be reported as an invalid token (a valid token refused, the caller sent
 * to check the secret). A string such as "30" read from an environment variable is refused too.
 */
function verifyOptions(options: VerifyTokenOptions): { clockTolerance: number; currentDate: Date | undefined } {
  if (typeof options !== 'object' || options === null) throw tokenError('invalid_argument', `options must be an object or left out (got ${options === null ? 'null' : typeof options})`);
  const tolerance: unknown = options.clockToleranceSeconds ?? 0;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw tokenError('invalid_argument', `clockToleranceSeconds must be a non-negative number of seconds (got ${shownValue(tolerance)})`);
  }
  // As everywhere a kbId is passed (config.ts): an empty or blank one (an unset environment
  // variable) is a mistake of the caller, not a token minted for another kb.
  if (options.kbId !== undefined && (typeof options.kbId !== 'string' || options.kbId.trim() === '')) {
    throw tokenError('invalid_argument', 'kbId must be a non-blank string, or left out (undefined) to accept any kb');
  }
  if (options.clock === undefined) return { clockTolerance: tolerance, currentDate: undefined };
  const now: unknown = typeof options.clock?.now === 'function' ? options.clock.now() : undefined;
  const date = typeof now === 'number' ? new Date(now) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw tokenError('invalid_argument', `clock.now() must return the time in ms since the epoch (got ${shownValue(now)})`);
  }
  return { clockTolerance: tolerance, currentDate: date };
}

async function verifySignedToken(token: string, secret: string | Uint8Array, options: VerifyTokenOptions): Promise<DecodedPulseToken> {
  if (typeof token !== 'string' || token === '') throw tokenError('invalid_token', 'token must be a non-empty string');
  const key = secretKeyBytes(secret);
  if (!key) throw tokenError('invalid_argument', SECRET_RULE);
  const { clockTolerance, currentDate } = verifyOptions(options);
  let payload: Record<string, unknown>;
  try {
    const result = await jwtVerify(token, key, { algorithms: ['HS256'], clockTolerance, ...(currentDate && { currentDate }) });
    payload = result.payload;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw tokenError('token_expired', 'token has expired', error);
    throw tokenError('invalid_token', 'token signature or claims are invalid: check that secret is the key the token was signed with', error);
  }
  const claims = checkClaims(payload);
  if (options.kbId !== undefined && claims.kbId !== options.kbId) {
    throw tokenError('kb_mismatch', 'token was minted for another kbId');
  }
  return claims;
}
