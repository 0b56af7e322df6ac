/**
 * Token minting and verification (HS256 JWTs with jose), and the checks a WebSocket upgrade
 * goes through before it is accepted.
 * @module
 */
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import {
  channelNameProblem,
  PulseError,
  SECRET_RULE,
  secretKeyBytes,
  shownValue,
  tokenRequestProblem,
  type Clock,
  type ErrorCode,
  type PulseTokenClaims,
  type Region,
} from '@openkbs-pulse/protocol';
import { requestTarget } from './target.js';

/** What a token is minted for. */
export interface TokenSubject {
  kbId: string;
  userId: string;
  region: Region;
  endpoint: string;
}

/** Result of a token check. */
export type VerifyResult = { ok: true; claims: PulseTokenClaims } | { ok: false; code: Extract<ErrorCode, 'invalid_token' | 'token_expired'>; message: string };

/** Signs and verifies the tokens of one service. */
export interface TokenAuthority {
  /** Mints a JWT valid for `ttlSeconds` from the clock's now (zero or less mints an expired token). */
  sign(subject: TokenSubject, ttlSeconds: number): Promise<string>;
  /** Verifies signature (HS256 only), shape and expiry against the clock's now. Never throws. */
  verify(token: string): Promise<VerifyResult>;
}

/**
 * Turns the `secret` option into key bytes (random 32 bytes when absent), else a typed error naming
 * it: with an empty key (`process.env.PULSE_SECRET ?? ''`) every token request failed with a 500.
 */
export function secretKey(secret: unknown): Uint8Array {
  if (secret === undefined) return crypto.getRandomValues(new Uint8Array(32));
  const key = secretKeyBytes(secret);
  if (!key) throw new PulseError('invalid_argument', `${SECRET_RULE} (got ${shownValue(secret)}); leave it out for a random key per service`);
  // A copy: the key is imported at the first token, and a caller's buffer reused meanwhile would change it.
  return new Uint8Array(key);
}

/** Creates the token authority of a service. */
export function createTokenAuthority(key: Uint8Array, clock: Clock): TokenAuthority {
  // Imported once: jose would otherwise import raw key bytes on every sign and verify.
  let imported: Promise<CryptoKey> | undefined;
  const cryptoKey = () =>
    (imported ??= crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']));
  return {
    async sign(subject, ttlSeconds) {
      const now = clock.now();
      // A lifetime runs from now: `iat` is now rounded up to a whole second when the token has
      // one. Rounded down, the lifetime lost the fraction of the current second, and a 1 s token
      // could be expired a millisecond after its answer said expiresIn: 1. Zero or less
      // (createToken's expired tokens) stays expired: rounded down.
      const iat = ttlSeconds > 0 ? Math.ceil(now / 1000) : Math.floor(now / 1000);
      return new SignJWT({ kbId: subject.kbId, userId: subject.userId, region: subject.region, endpoint: subject.endpoint })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(subject.userId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + Math.floor(ttlSeconds))
        .sign(await cryptoKey());
    },
    async verify(token) {
      if (!token) return { ok: false, code: 'invalid_token', message: 'token is missing' };
      try {
        const { payload } = await jwtVerify(token, await cryptoKey(), {
          algorithms: ['HS256'],
          currentDate: new Date(clock.now()),
          requiredClaims: ['exp'],
        });
        const { kbId, userId, region, endpoint, iat, exp } = payload as Partial<PulseTokenClaims>;
        if (typeof kbId !== 'string' || typeof userId !== 'string' || typeof exp !== 'number') {
          return { ok: false, code: 'invalid_token', message: 'token lacks kbId, userId or exp' };
        }
        // The userId rule tokens are minted by: one without (an empty userId) would break every
        // other client's presence sync, which refuses a member without a userId.
        const userIdProblem = tokenRequestProblem(userId);
        if (userIdProblem) return { ok: false, code: 'invalid_token', message: `token ${userIdProblem}` };
        return {
          ok: true,
          claims: { kbId, userId, region: region as Region, endpoint: String(endpoint ?? ''), iat: Number(iat ?? 0), exp },
        };
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) return { ok: false, code: 'token_expired', message: 'token has expired' };
        return { ok: false, code: 'invalid_token', message: 'token is invalid' };
      }
    },
  };
}

/** An accepted upgrade. */
export interface UpgradeGrant {
  ok: true;
  claims: PulseTokenClaims;
  /** Channel from the `channel` query parameter, subscribed at once. */
  channel: string | undefined;
}

/** A refused upgrade: answered with `status` and a JSON `{ error, code }` body. */
export interface UpgradeRefusal {
  ok: false;
  status: number;
  code: ErrorCode;
  error: string;
}

/** What the upgrade checks need to know about tenants. */
export interface TenantLookup {
  /** Whether Pulse is enabled for `kbId` (false for unknown kbs). */
  isEnabled(kbId: string): boolean;
}

/**
 * Checks a WebSocket upgrade request URL (`?kbId&token[&channel]`), in the order the hosted
 * service documents: token (401), kbId present (400), kb match (403), Pulse enabled (403).
 */
export async function checkUpgrade(
  requestUrl: string | undefined,
  authority: TokenAuthority,
  tenants: TenantLookup,
): Promise<UpgradeGrant | UpgradeRefusal> {
  const query = requestTarget(requestUrl)?.searchParams;
  if (!query) {
    // `//[` and the like: not a URL at all (issue 12: this used to throw out of the upgrade handler).
    return { ok: false, status: 400, code: 'invalid_message', error: 'request URL is malformed: connect to the service URL followed by ?kbId=…&token=…' };
  }
  const token = query.get('token') ?? '';
  const kbId = query.get('kbId');
  const channel = query.get('channel') ?? undefined;
  const verified = await authority.verify(token);
  if (!verified.ok) return { ok: false, status: 401, code: verified.code, error: verified.message };
  // The hosted URL is `?kbId&token`: a request without kbId is malformed, whatever the token says.
  if (!kbId) return { ok: false, status: 400, code: 'invalid_message', error: 'kbId query parameter is required' };
  if (kbId !== verified.claims.kbId) {
    return { ok: false, status: 403, code: 'kb_mismatch', error: 'token was minted for another kbId' };
  }
  if (!tenants.isEnabled(verified.claims.kbId)) {
    return { ok: false, status: 403, code: 'pulse_not_enabled', error: 'Elastic Pulse is not enabled for this knowledge base' };
  }
  if (channel !== undefined) {
    const problem = channelNameProblem(channel);
    if (problem) return { ok: false, status: 400, code: 'invalid_message', error: problem };
  }
  return { ok: true, claims: verified.claims, channel };
}
