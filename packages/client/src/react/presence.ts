/**
 * `usePresence`: who is on a channel, and this component's own presence there.
 * @module
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { PulseError, type PresenceMember } from 'openkbs-pulse';
import { shownValue } from '@openkbs-pulse/protocol';
import { checkChannel, useClient } from './channel.js';
import { EMPTY_PRESENCE, type PresenceSnapshot } from './hub.js';
import { useHub } from './provider.js';

/** What {@link usePresence} returns. */
export interface PresenceState {
  /** Members of the channel (the service lists at most 100). Empty on the server and until the first sync. */
  readonly members: readonly PresenceMember[];
  /** Exact member count. */
  readonly count: number;
  /**
   * Why entering or updating with `data` failed (e.g. `message_too_large`, or `rate_limited` until
   * the hub's retry enters), else undefined: cleared once an enter or update succeeds.
   */
  readonly error: PulseError | undefined;
}

const noop = (): (() => void) => () => undefined;

/** `data` as JSON (how changes are compared), or a PulseError saying what to pass. */
function presenceJson(data: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (cause) {
    throw new PulseError('invalid_argument', `usePresence: data must be JSON (plain objects, arrays, strings, numbers, booleans, null): ${shownValue(cause)}`, { cause });
  }
  if (json === undefined) throw new PulseError('invalid_argument', 'usePresence: data must be JSON; pass null to enter with no data, or leave data out to only watch');
  return json;
}
const serverSnapshot = (): PresenceSnapshot => EMPTY_PRESENCE;

/**
 * The members of `channel`'s presence, kept current. With `data` (any JSON value, `null` for none)
 * the component is also a member while mounted: it enters, updates when `data` changes (compared
 * as JSON, so a new object with the same content sends nothing) and leaves on unmount. Components
 * entering the same channel on one client share one membership, whichever provider they are
 * under: the last mounted one's data wins (when it unmounts, the latest remaining one's), and it
 * leaves when the last of them unmounts. A remount (StrictMode) neither leaves nor re-enters.
 *
 * @example
 * ```tsx
 * const { members, count } = usePresence('lobby', { name: user.name }); // enters while mounted
 * const watchers = usePresence('lobby').count; // only watches
 * ```
 * @param channel - The channel name.
 * @param data - This component's member data (JSON; `null` for none); leave it out to only watch.
 */
export function usePresence(channel: string, data?: unknown): PresenceState {
  const hub = useHub('usePresence');
  checkChannel('usePresence', channel);
  const client = useClient(hub);
  const store = client ? hub.presence(client, channel) : undefined;
  const snapshot = useSyncExternalStore(store ? store.subscribe : noop, store ? store.getSnapshot : serverSnapshot, serverSnapshot);
  const [error, setError] = useState<{ client: unknown; error: PulseError } | undefined>(undefined);
  const entering = data !== undefined;
  const json = entering ? presenceJson(data) : undefined;
  useEffect(() => {
    if (!client || json === undefined) return;
    // Cleared once entered: a failure that a fix of the data, or the hub's retry, got past is over.
    return hub.enter(client, channel, JSON.parse(json), (e) => setError(e && { client, error: e }));
  }, [hub, client, channel, json]);
  return { members: snapshot.members, count: snapshot.count, error: error?.client === client ? error?.error : undefined };
}
