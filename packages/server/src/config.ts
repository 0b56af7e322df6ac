/**
 * Credentials and API URL resolution: explicit options first, then the environment, read at
 * call time (so code that sets `process.env` after importing the SDK works).
 * @module
 */
import { DEFAULT_API_URL, errorMessage, PulseError } from '@openkbs-pulse/protocol';

/** Environment variable of the knowledge base id. */
export const ENV_KB_ID = 'OPENKBS_KB_ID';
/** Environment variable of the API key. */
export const ENV_API_KEY = 'OPENKBS_API_KEY';
/** Environment variable of the API base URL (point it at a local service for tests). */
export const ENV_API_URL = 'OPENKBS_API_URL';

/** Credentials and target of one call; every field is optional and falls back to the environment. */
export interface CallCredentials {
  /** Knowledge base id. @default process.env.OPENKBS_KB_ID */
  kbId?: string | undefined;
  /** API key of the knowledge base. Never logged nor put in error messages. @default process.env.OPENKBS_API_KEY */
  apiKey?: string | undefined;
  /** API base URL. @default process.env.OPENKBS_API_URL, then `https://kb.openkbs.com` */
  apiUrl?: string | undefined;
}

/** Resolved, complete credentials. */
export interface ResolvedConfig {
  kbId: string;
  apiKey: string;
  apiUrl: string;
}

/** A source of environment variables; `process.env` by default. */
export type EnvSource = () => Readonly<Record<string, string | undefined>>;

/** Reads `process.env` where it exists (Node, Bun, Deno compat) and `{}` elsewhere (edge runtimes). */
export const processEnv: EnvSource = () => {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
};

const nonEmpty = (value: string | undefined): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/**
 * The credential a layer gives for `key`: `undefined` when it gives none. A value passed explicitly
 * must be a non-blank string: an empty or blank one (a tenant row without a kbId, `--kb-id "$KB"`
 * with KB unset) is refused, never replaced by the next layer's or the environment's, which would
 * send another kb's credentials or mint a token for another kb.
 */
function explicitCredential(layer: CallCredentials | undefined, key: 'kbId' | 'apiKey', envName: string): string | undefined {
  const value: unknown = layer?.[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value;
  const what = typeof value === 'string' ? (value === '' ? 'empty' : 'blank') : `a ${value === null ? 'null' : typeof value}`;
  const detail = `${key} is ${what}: pass a ${key}, or leave the option out (undefined) to use the client's or ${envName}`;
  throw new PulseError('invalid_argument', errorMessage('invalid_argument', detail));
}

/**
 * The `apiUrl` a layer gives: `undefined` when it gives none. An empty or blank one means "not
 * set", as an empty OPENKBS_API_URL does (`apiUrl: process.env.OPENKBS_API_URL` passes one
 * along). Anything else that is not a string (a URL object, null) is refused: replaced by the next
 * layer's, the environment's or the hosted API, it would send the apiKey to another host.
 */
function explicitApiUrl(layer: CallCredentials | undefined): string | undefined {
  const value: unknown = layer?.apiUrl;
  if (value === undefined || typeof value === 'string') return nonEmpty(value as string | undefined);
  const what = value === null ? 'null' : value instanceof URL ? 'a URL object' : `a ${typeof value}`;
  throw new PulseError('invalid_argument', errorMessage('invalid_argument', `apiUrl is ${what}: pass the URL as a string (e.g. url.href), or leave the option out (undefined) to use the client's, ${ENV_API_URL} or the hosted API`));
}

/**
 * Resolves credentials from `layers` (first defined wins, e.g. call options then client
 * options), then the environment (where an empty variable counts as unset).
 * @throws PulseError `invalid_argument` for an explicit kbId or apiKey that is empty, blank or not a string,
 * or an apiUrl that is not a string;
 * `missing_credentials` naming the option and the environment variable.
 */
export function resolveConfig(layers: readonly (CallCredentials | undefined)[], env: EnvSource = processEnv): ResolvedConfig {
  const vars = env();
  const credential = (key: 'kbId' | 'apiKey', envName: string): string | undefined => {
    for (const layer of layers) {
      const value = explicitCredential(layer, key, envName);
      if (value !== undefined) return value;
    }
    return nonEmpty(vars[envName]);
  };
  const kbId = credential('kbId', ENV_KB_ID);
  const apiKey = credential('apiKey', ENV_API_KEY);
  const missing: string[] = [];
  if (!kbId) missing.push(`kbId (option "kbId" or env ${ENV_KB_ID})`);
  if (!apiKey) missing.push(`apiKey (option "apiKey" or env ${ENV_API_KEY})`);
  if (!kbId || !apiKey) {
    throw new PulseError('missing_credentials', errorMessage('missing_credentials', `Missing Pulse credentials: ${missing.join(' and ')}`));
  }
  const apiUrl = layers.map((layer) => explicitApiUrl(layer)).find((url) => url !== undefined) ?? nonEmpty(vars[ENV_API_URL]) ?? DEFAULT_API_URL;
  try {
    const protocol = new URL(apiUrl).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') throw new TypeError('not http');
  } catch {
    throw new PulseError('invalid_argument', errorMessage('invalid_argument', `apiUrl must be an http(s) URL (option "apiUrl" or env ${ENV_API_URL})`));
  }
  return { kbId, apiKey, apiUrl };
}
