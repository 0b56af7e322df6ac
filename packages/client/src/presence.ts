/**
 * A channel's presence set, kept from `sync` frames plus `enter` / `leave` / `update` changes.
 * `count` stays exact when the service lists only the first 100 members.
 * @module
 */
import type { PresenceFrame, PresenceMember, PulseError } from '@openkbs-pulse/protocol';
import { createEmitter, type Emitter } from './emitter.js';

/** Presence events of one channel. */
export type PresenceEvents = {
  /** The member list changed (any sync, enter, leave or update). */
  members: PresenceMember[];
  /** A member entered. */
  enter: PresenceMember;
  /** A member left. */
  leave: PresenceMember;
  /** A member changed its data. */
  update: PresenceMember;
  /** Internal: the set was dropped (detach, close, failure); pending `get()` calls reject with it. */
  gone: PulseError;
};

/** The presence set of one channel. */
export interface PresenceSet {
  /** Members by connection id (at most what the service listed, plus later entries). */
  byId: Map<string, PresenceMember>;
  /** Exact member count. */
  count: number;
  /** Whether a sync arrived on the current connection (until then enter/leave/update frames are ignored). */
  synced: boolean;
  /** Our own member data while entered (re-sent after every reconnect), else undefined. */
  entered: { data: unknown } | undefined;
  em: Emitter<PresenceEvents>;
}

/** An empty presence set. */
export const createPresenceSet = (): PresenceSet => ({ byId: new Map(), count: 0, synced: false, entered: undefined, em: createEmitter() });

/** Forgets the members (nothing is emitted): the channel no longer tracks presence. */
export const clearPresence = (set: PresenceSet): void => {
  set.byId.clear();
  set.count = 0;
  set.synced = false;
};

/**
 * Applies a presence frame and notifies listeners. A change before the first sync on this
 * connection is ignored: without the full list it would make `count` and the members wrong
 * (the service sends changes to every subscriber, also to channels with message listeners only).
 */
export function applyPresence(set: PresenceSet, frame: PresenceFrame): void {
  const { byId: map, em } = set;
  if (frame.action === 'sync') {
    map.clear();
    for (const member of frame.members) map.set(member.connectionId, member);
    set.count = Math.max(frame.count, map.size);
    set.synced = true;
  } else if (!set.synced) {
    return;
  } else {
    const member = frame.member;
    const known = map.has(member.connectionId);
    if (frame.action === 'leave') {
      // A member beyond the listed ones can leave too: the count still drops.
      if (map.delete(member.connectionId) || set.count > map.size) set.count--;
    } else {
      map.set(member.connectionId, member);
      if (!known && (frame.action === 'enter' || set.count < map.size)) set.count++;
    }
    em.emit(frame.action, member);
  }
  em.emit('members', [...map.values()]);
}
