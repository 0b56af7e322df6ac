/**
 * Connection hooks: the state, the last error, and the client itself.
 * @module
 */
import { useSyncExternalStore } from 'react';
import type { ConnectionState, Pulse, PulseError } from 'openkbs-pulse';
import { useClient } from './channel.js';
import { INITIAL_STATE } from './hub.js';
import { useHub } from './provider.js';

const serverState = (): ConnectionState => INITIAL_STATE;
const noError = (): undefined => undefined;

/**
 * The connection state of the provider's client. `'connecting'` on the server, during hydration
 * and while the first token is fetched; `'failed'` when fetching it failed, or the client refused
 * the options (a token that is not a JWT).
 *
 * @example
 * ```tsx
 * const state = useConnectionState();
 * return <span className={state === 'connected' ? 'online' : 'offline'}>{state}</span>;
 * ```
 */
export function useConnectionState(): ConnectionState {
  const hub = useHub('useConnectionState');
  return useSyncExternalStore(hub.subscribe, hub.getState, serverState);
}

/**
 * The last error of the provider's client (or of fetching its first token, or of the options the
 * client refused), else undefined.
 *
 * @example
 * ```tsx
 * const error = useConnectionError();
 * return error ? <p role="alert">{error.code}: {error.message}</p> : null;
 * ```
 */
export function useConnectionError(): PulseError | undefined {
  const hub = useHub('useConnectionError');
  return useSyncExternalStore(hub.subscribe, hub.getError, noError);
}

/**
 * The provider's client, for what the hooks do not cover; `undefined` on the server, during
 * hydration and until the provider mounted (and got its first token).
 *
 * @example
 * ```tsx
 * const pulse = usePulseClient();
 * useEffect(() => pulse?.on('error', (e) => report(e)), [pulse]);
 * ```
 */
export function usePulseClient(): Pulse | undefined {
  return useClient(useHub('usePulseClient'));
}
