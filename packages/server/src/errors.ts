/**
 * The error the server SDK throws for a failed API call, and the mapping from HTTP answers
 * and network failures to it. Secrets are removed from every message before it is built.
 * @module
 */
import {
  API_ACTIONS,
  DEFAULT_API_URL,
  errorMessage,
  isErrorCode,
  isPulseError,
  parseApiError,
  PulseError,
  type ErrorCode,
} from '@openkbs-pulse/protocol';
import { ENV_API_URL } from './config.js';

/** Options of the {@link PulseApiError} constructor. */
export interface PulseApiErrorOptions {
  /** HTTP status of the answer; `undefined` when none arrived (network error, timeout). */
  status?: number | undefined;
  /** Whether repeating the same request may succeed (network errors, timeouts, 429, 5xx). */
  retryable: boolean;
  /** Delay the service asked for with `Retry-After`, in milliseconds. */
  retryAfterMs?: number | undefined;
  /** The API action that failed. */
  action?: string | undefined;
  /** How many attempts were made before giving up. */
  attempts?: number | undefined;
  /** The underlying error (never carries the request body). */
  cause?: unknown;
}

/**
 * A failed call to the Pulse HTTP API. Match on {@link PulseError.code}; `retryable` says
 * whether the SDK would have retried it (it already did, up to its `retries` option).
 *
 * @example
 * ```ts
 * try { await publish('orders', 'new_order', order) } catch (e) {
 *   if (e instanceof PulseApiError && e.status === 401) rotateKey()
 * }
 * ```
 */
export class PulseApiError extends PulseError {
  /** Always `'PulseApiError'` (shown in stack traces and logs). */
  override readonly name: string = 'PulseApiError';
  /** HTTP status of the answer, `undefined` when no answer arrived. */
  readonly status: number | undefined;
  /** Whether the failure is transient (network, timeout, 429, 5xx). */
  readonly retryable: boolean;
  /** `Retry-After` of the answer, in milliseconds, when it had one. */
  readonly retryAfterMs: number | undefined;
  /** The API action that failed, e.g. `pulsePublish`. */
  readonly action: string | undefined;
  /** Attempts made, retries included. */
  readonly attempts: number;

  constructor(code: ErrorCode, message: string, options: PulseApiErrorOptions) {
    super(code, message, { statusCode: options.status, cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.action = options.action;
    this.attempts = options.attempts ?? 1;
  }
}

/**
 * Whether `value` is a {@link PulseApiError}. Like `isPulseError`, it works across bundle
 * copies of the SDK (two versions installed, ESM and CJS loaded together), so it does not rely
 * on `instanceof` alone.
  *
 * @param value - anything caught.
 * @example
 * ```ts
 * try { await publish('orders', 'new_order', order) } catch (e) {
 *   if (isPulseApiError(e) && e.retryable) queueForLater(order)
 * }
 * ```
 */
export function isPulseApiError(value: unknown): value is PulseApiError {
  if (value instanceof PulseApiError) return true;
  if (!isPulseError(value) || value.name !== 'PulseApiError') return false;
  const fields = value as unknown as Record<string, unknown>;
  return typeof fields.retryable === 'boolean' && typeof fields.attempts === 'number';
}

/** Records how many attempts a call made (`attempts` is read-only for callers). @internal */
export function setAttempts(error: PulseApiError, attempts: number): PulseApiError {
  (error as { attempts: number }).attempts = attempts;
  return error;
}

/**
 * The spellings of a secret that can reach a message: as is, URL-encoded (a URL or form body
 * echoed back), and JSON-escaped (a request body echoed back inside a JSON string).
 */
function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  try {
    // encodeURI leaves `/`, `+`, `=` ... alone; a form-encoded body spells spaces as `+`.
    forms.add(encodeURI(secret));
    forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  } catch {
    // A lone surrogate cannot be URL-encoded: only the raw and JSON forms apply.
  }
  // Longest first, so that a longer spelling is not cut by a shorter one it contains.
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every occurrence of each secret in `text` by `***`, in any of the spellings a
 * message could carry it (raw, URL-encoded, JSON-escaped; case-insensitive percent escapes).
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would redact ordinary words; real API keys are long.
    if (!secret || secret.length < 4) continue;
    for (const form of secretForms(secret)) {
      out = out.split(form).join('***');
      if (form.includes('%')) out = out.split(form.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())).join('***');
    }
  }
  return out;
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every control character shown as an escape (`\n`, `\u001b`), on one line. Text
 * from the network (an error body, a proxy's page, a channel name) printed raw could move the
 * cursor, retitle or clear the terminal, or forge lines of output. C0, DEL and C1 controls and
 * the bidirectional overrides (which reorder what is shown) are escaped.
 * @param text - text to print on a terminal or in a log line.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- the control characters are what it escapes
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (char) => NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether an HTTP status is worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** The error code for an HTTP status whose body named no known code. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 400) return 'invalid_message';
  if (status === 401) return 'invalid_api_key';
  if (status === 403) return 'forbidden';
  if (status === 413) return 'message_too_large';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'invalid_response';
}

/**
 * The SDK function behind each API action. Messages name what the user called (`status`,
 * `getToken`), not the wire action (`pulseStatus`, `createPulseToken`) they never wrote.
 */
const CALL_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(API_ACTIONS).map(([name, action]) => [action, name === 'createToken' ? 'getToken' : name]),
);

/** The public name (`publish`) of an API action (`pulsePublish`), for messages; unknown actions as they are. */
export function callName(action: string): string {
  return CALL_NAMES[action] ?? action;
}

/** Codes whose cause is usually the kb or key the call used: their message names the kbId. */
const KB_CODES: ReadonlySet<ErrorCode> = new Set(['invalid_api_key', 'forbidden', 'pulse_not_enabled', 'kb_mismatch']);

/**
 * The message of a request that got no answer: the call, the URL it used and the underlying
 * reason. Against the default (hosted) URL it also says that the environment variable was not
 * set, since the usual cause is a local setup that forgot `OPENKBS_API_URL`.
 */
export function networkErrorMessage(action: string, apiUrl: string, reason: string): string {
  const hosted = apiUrl.replace(/\/+$/, '') === DEFAULT_API_URL.replace(/\/+$/, '');
  const hint = hosted
    ? `. ${apiUrl} is the default (hosted) API URL because ${ENV_API_URL} is not set: to use a local service, set ${ENV_API_URL}=http://127.0.0.1:<port> (or the apiUrl option)`
    : '';
  return errorMessage('network_error', `${callName(action)} could not reach ${apiUrl}: ${reason}${hint}`);
}

/**
 * Why a request got no answer, secrets removed: the error's message, with its cause's when the
 * message alone says nothing (global fetch throws `fetch failed` and puts ENOTFOUND in `cause`).
 */
export function failureReason(error: unknown, secrets: readonly (string | undefined)[]): string {
  if (!(error instanceof Error)) return 'unknown error';
  const cause = (error as { cause?: unknown }).cause;
  const reason = cause instanceof Error && cause.message && !error.message.includes(cause.message) ? `${error.message} (${cause.message})` : error.message;
  return redact(reason, secrets);
}

/** What {@link errorFromResponse} knows besides the answer. */
export interface ResponseContext {
  /** `Retry-After` of the answer, in ms. */
  retryAfterMs?: number | undefined;
  /** The kbId the call used (named for codes whose usual cause it is). */
  kbId?: string | undefined;
  /** The URL the call was sent to (named, secrets removed, when it has no API). */
  apiUrl?: string | undefined;
}

/**
 * The detail of a 404: whatever the body says, the URL has no API (a path in `apiUrl`, or a host
 * that is not a Pulse service). Naming the URL and its path says what to fix.
 */
function notFoundDetail(apiUrl: string | undefined, secrets: readonly (string | undefined)[]): string {
  if (apiUrl === undefined) return 'check apiUrl: it has no Pulse API';
  let path = '/';
  try {
    path = new URL(apiUrl).pathname;
  } catch {
    // Not reached with a URL a request went to; the message still names apiUrl.
  }
  return `check apiUrl: ${redact(apiUrl, secrets)} has no Pulse API at ${redact(path, secrets)} (the API is POST to the service's root URL)`;
}

/**
 * The error for a non-2xx answer. `body` is the parsed JSON body, or the raw text when it was
 * not JSON. `secrets` are removed from the message. A 404 is `invalid_response` naming `apiUrl`,
 * whatever code its body carries: the request reached no API, so no API code applies.
 */
export function errorFromResponse(
  action: string,
  status: number,
  body: unknown,
  secrets: readonly (string | undefined)[],
  context: ResponseContext = {},
): PulseApiError {
  const parsed = parseApiError(body);
  const notFound = status === 404;
  const code: ErrorCode = notFound ? 'invalid_response' : parsed?.code && isErrorCode(parsed.code) ? parsed.code : codeForStatus(status);
  // Redacted before it is shortened: cutting first could leave a prefix of the key behind.
  const raw = parsed?.error ?? (typeof body === 'string' ? body : '');
  const said = redact(raw, secrets).trim().slice(0, 200);
  const detail = notFound ? `${notFoundDetail(context.apiUrl, secrets)}${said ? `; it said: ${said}` : ''}` : said;
  const kbId = context.kbId;
  const kb = kbId !== undefined && KB_CODES.has(code) ? ` for kbId "${redact(kbId, secrets)}"` : '';
  const message = errorMessage(code, `${callName(action)} failed with HTTP ${status}${kb}${detail ? `: ${detail}` : ''}`);
  return new PulseApiError(code, message, { status, retryable: isRetryableStatus(status), retryAfterMs: context.retryAfterMs, action });
}

/** Copies an underlying error without anything that could hold a secret: name, code and a redacted message. */
export function safeCause(error: unknown, secrets: readonly (string | undefined)[]): unknown {
  if (!(error instanceof Error)) return undefined;
  const copy = new Error(redact(error.message, secrets));
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  const inner = (error as { cause?: unknown }).cause;
  if (inner instanceof Error) (copy as Error & { cause?: unknown }).cause = safeCause(inner, secrets);
  return copy;
}
