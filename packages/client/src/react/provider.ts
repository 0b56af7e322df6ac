/**
 * `<PulseProvider>`: one client and one connection for every hook below it.
 * @module
 */
import { createContext, createElement, useContext, useEffect, useMemo, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { PulseError, type Pulse } from 'openkbs-pulse';
import { providerOptionsProblem, PulseHub, type PulseProviderOptions } from './hub.js';

/** Props of {@link PulseProvider}: a ready client, or the options to create one. */
export type PulseProviderProps =
  | {
      /**
       * A client you created. The provider never disconnects it (it is yours); create it in
       * browser-only code (a socket opened during server rendering would never close).
       */
      client: Pulse;
      /** Not with `client`. */
      options?: undefined;
      /** The components that use the client. */
      children?: ReactNode;
    }
  | {
      /**
       * Options of the client the provider creates when it mounts in the browser (never during
       * server rendering) and closes when it unmounts. Read when the client is created: give the
       * provider a new `key` to connect with other options. `authCallback` is always the latest.
       */
      options: PulseProviderOptions;
      /** Not with `options`. */
      client?: undefined;
      /** The components that use the client. */
      children?: ReactNode;
    };

const HubContext = createContext<PulseHub | undefined>(undefined);

/**
 * Lends one Pulse client to the hooks of its subtree. The client is created and connected when the
 * provider mounts in the browser, shared by every hook however many use it, and closed when the
 * provider unmounts for good: StrictMode's mount → unmount → mount keeps the same socket, its
 * subscriptions and its presence.
 *
 * @example
 * ```tsx
 * <PulseProvider options={{ kbId, authCallback: () => fetch('/api/pulse-token').then((r) => r.json()) }}>
 *   <Chat />
 * </PulseProvider>
 * ```
 * @param props - `client` (a ready client) or `options` (to create one), and `children`.
 */
export function PulseProvider(props: PulseProviderProps): ReactElement {
  const { client, options, children } = props;
  if (!client && !options) {
    throw new PulseError('invalid_argument', 'PulseProvider: pass a client (client={pulse}) or the options to create one (options={{ kbId, token }})');
  }
  const problem = options && providerOptionsProblem(options);
  if (problem) throw new PulseError('invalid_argument', problem);
  // The latest options, read when the hub creates a client (so an inline authCallback stays fresh).
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const [ownHub] = useState(() => (client ? undefined : new PulseHub(() => optionsRef.current!)));
  // A ready client gets a hub of its own; another client prop, another hub.
  const clientHub = useMemo(() => client && new PulseHub(client), [client]);
  const active = clientHub ?? ownHub;
  if (!active) {
    throw new PulseError('invalid_argument', 'PulseProvider: it was first given a client, now options; give it a new key to switch (<PulseProvider key="..." ...>)');
  }
  useEffect(() => {
    active.acquire();
    return () => active.release();
  }, [active]);
  return createElement(HubContext.Provider, { value: active }, children);
}

/** The hub of the nearest provider; a clear error when there is none. */
export function useHub(hook: string): PulseHub {
  const hub = useContext(HubContext);
  if (!hub) {
    throw new PulseError('invalid_argument', `${hook}() must be called inside <PulseProvider>: wrap your app (or this component) in <PulseProvider options={{ kbId, authCallback }}>`);
  }
  return hub;
}
