/**
 * Presence sets: enter / update / leave and the capped sync snapshot.
 * @module
 */
import {
  MAX_PRESENCE_MEMBERS,
  type PresenceChangeFrame,
  type PresenceMember,
  type PresenceSyncFrame,
} from '@openkbs-pulse/protocol';
import type { ChannelState } from './channels.js';
import type { PulseConnection } from './connection.js';

function memberOf(connection: PulseConnection, data: unknown): PresenceMember {
  const member: PresenceMember = {
    userId: connection.userId,
    connectionId: connection.id,
    connectedAt: connection.connectedAt,
  };
  if (data !== undefined) member.data = data;
  return member;
}

/**
 * Puts `connection` into the presence set with `data`. Entering twice updates the data, and
 * updating before entering enters (as hosted presence services do).
 * @returns the change frame to broadcast.
 */
export function enterPresence(
  state: ChannelState,
  channel: string,
  connection: PulseConnection,
  data: unknown,
): PresenceChangeFrame {
  const existed = state.members.has(connection.id);
  const member = memberOf(connection, data);
  state.members.set(connection.id, member);
  (connection.present ??= new Set()).add(channel);
  return { type: 'presence', action: existed ? 'update' : 'enter', channel, member };
}

/** Removes `connection` from the presence set; the `leave` frame, or undefined when it was not in it. */
export function leavePresence(
  state: ChannelState | undefined,
  channel: string,
  connection: PulseConnection,
): PresenceChangeFrame | undefined {
  connection.present?.delete(channel);
  const member = state?.members.get(connection.id);
  if (!state || !member) return undefined;
  state.members.delete(connection.id);
  return { type: 'presence', action: 'leave', channel, member };
}

/** Exact count and at most {@link MAX_PRESENCE_MEMBERS} members, in order of entry. */
export function presenceSnapshot(state: ChannelState | undefined): { count: number; members: PresenceMember[] } {
  if (!state) return { count: 0, members: [] };
  const members: PresenceMember[] = [];
  for (const member of state.members.values()) {
    if (members.length >= MAX_PRESENCE_MEMBERS) break;
    members.push(member);
  }
  return { count: state.members.size, members };
}

/** The `sync` frame answering a `presence` request. */
export function presenceSync(state: ChannelState | undefined, channel: string): PresenceSyncFrame {
  return { type: 'presence', action: 'sync', channel, ...presenceSnapshot(state) };
}
