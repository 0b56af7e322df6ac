// React hooks around the openkbs-pulse client, safe under StrictMode.
//
// StrictMode mounts, unmounts and mounts again every component in development. A hook that opens a
// connection in useEffect and closes it in the cleanup would open two. Here connections live in a
// small ref-counted registry keyed by `key`: the cleanup only schedules the close, and the second
// mount (which comes right after) takes the same client back, so one connection is ever opened.
import { useEffect, useRef, useState } from 'react';
import Pulse, { type ConnectionState, type PresenceMember } from 'openkbs-pulse';

/** What your backend's token endpoint answers. */
export interface PulseCredentials {
  kbId: string;
  token: string;
  endpoint?: string;
}

export interface UsePulseOptions {
  /** Identifies the connection: components using the same key share one client. */
  key: string;
  /** Fetches credentials from your backend; also used to refresh an expired token. */
  auth: () => Promise<PulseCredentials>;
}

/** The connection of a {@link usePulse} call: `pulse` is undefined until credentials arrive. */
export interface PulseHandle {
  pulse: Pulse | undefined;
  state: ConnectionState | 'loading';
  error: unknown;
}

interface Entry {
  refs: number;
  closeTimer: ReturnType<typeof setTimeout> | undefined;
  client: Promise<Pulse>;
}

const registry = new Map<string, Entry>();
const stats = { acquisitions: 0, clientsCreated: 0 };

/**
 * How often the hooks took a client from the registry and how many clients they created: under
 * StrictMode a component mounts twice, so acquisitions exceed clients (tests and debugging).
 */
export function pulseRegistryStats(): { acquisitions: number; clientsCreated: number } {
  return { ...stats };
}

function acquire(key: string, auth: () => Promise<PulseCredentials>): Entry {
  stats.acquisitions++;
  let entry = registry.get(key);
  if (!entry) {
    stats.clientsCreated++;
    const client = auth().then(
      ({ kbId, token, endpoint }) =>
        new Pulse({
          kbId,
          token,
          endpoint,
          authCallback: async () => {
            const fresh = await auth();
            return { token: fresh.token, endpoint: fresh.endpoint };
          },
        }),
    );
    entry = { refs: 0, closeTimer: undefined, client };
    registry.set(key, entry);
    client.catch(() => registry.get(key) === entry && registry.delete(key));
  }
  if (entry.closeTimer !== undefined) clearTimeout(entry.closeTimer);
  entry.closeTimer = undefined;
  entry.refs++;
  return entry;
}

function release(key: string, entry: Entry): void {
  entry.refs--;
  if (entry.refs > 0) return;
  // Deferred: StrictMode's re-mount (or a re-render with the same key) takes the client back first.
  entry.closeTimer = setTimeout(() => {
    if (entry.refs > 0 || registry.get(key) !== entry) return;
    registry.delete(key);
    entry.client.then((pulse) => pulse.disconnect()).catch(() => undefined);
  }, 0);
}

/** One shared Pulse client per `key`, with its connection state. */
export function usePulse({ key, auth }: UsePulseOptions): PulseHandle {
  const authRef = useRef(auth);
  authRef.current = auth;
  const [handle, setHandle] = useState<PulseHandle>({ pulse: undefined, state: 'loading', error: undefined });

  useEffect(() => {
    let active = true;
    const entry = acquire(key, () => authRef.current());
    let stopWatching: (() => void) | undefined;
    entry.client.then(
      (pulse) => {
        if (!active) return;
        setHandle({ pulse, state: pulse.state, error: undefined });
        stopWatching = pulse.onStateChange((state) => active && setHandle({ pulse, state, error: undefined }));
      },
      (error: unknown) => active && setHandle({ pulse: undefined, state: 'failed', error }),
    );
    return () => {
      active = false;
      stopWatching?.();
      release(key, entry);
    };
  }, [key]);

  return handle;
}

/** Calls `handler` for every `event` on `channel` while mounted (the latest handler, no resubscribe). */
export function useChannelEvent<T = Record<string, unknown>>(
  pulse: Pulse | undefined,
  channel: string,
  event: string,
  handler: (data: T) => void,
): void {
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => {
    if (!pulse) return;
    return pulse.channel(channel).subscribe(event, (data) => handlerRef.current(data as T));
  }, [pulse, channel, event]);
}

/** Enters `channel`'s presence with `data` while mounted and returns the current members. */
export function usePresence(pulse: Pulse | undefined, channel: string, data?: Record<string, unknown>): PresenceMember[] {
  const [members, setMembers] = useState<PresenceMember[]>([]);
  const dataJson = JSON.stringify(data ?? null);
  useEffect(() => {
    if (!pulse) return;
    const presence = pulse.channel(channel).presence;
    const stop = presence.subscribe((list) => setMembers([...list]));
    presence.enter(JSON.parse(dataJson)).catch(() => undefined);
    return () => {
      stop();
      presence.leave().catch(() => undefined);
    };
  }, [pulse, channel, dataJson]);
  return members;
}
