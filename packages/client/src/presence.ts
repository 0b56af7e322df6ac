/**
 * A channel's presence set, kept from `sync` frames plus `enter` / `leave` / `update` changes.
 * `count` stays exact when the service lists only the first 100 members.
 * @module
 */
import type { PresenceFrame, PresenceMember, PulseError } from '@openkbs-pulse/protocol';
import { createEmitter, type Emitter, type ListenerErrorHandler } from './emitter.js';

/** Presence events of one channel. */
export type PresenceEvents = {
  /** The member list changed (any sync, enter, leave or update). */
  members: PresenceMember[];
  /** A member entered. */
  enter: PresenceMember;
  /** A member left (with the data the client held for it when the frame carries none). */
  leave: PresenceMember;
  /** A member changed its data. */
  update: PresenceMember;
  /** Internal: the set was dropped (release, close, failure, suspension); pending reads reject with it. */
  gone: PulseError;
};

/** A membership change of this client: its data (a copy), when (shareConnection), and its run. */
export interface Entered {
  data: unknown;
  at?: number | undefined;
  /**
   * The run of changes it belongs to, until a leave (the first change of the run): a change that
   * resolves after a leave and a new enter does not confirm the new run.
   */
  r?: Entered | undefined;
}

/** The presence set of one channel. */
export interface PresenceSet {
  /** Members by connection id (at most what the service listed, plus later entries). */
  _byId: Map<string, PresenceMember>;
  /** Exact member count. */
  _count: number;
  /** Whether a sync arrived on the current connection (until then enter/leave/update frames are ignored). */
  _synced: boolean;
  /** Whether `_byId` holds the list of an earlier sync (kept over a reconnect, forgotten when tracking stops). */
  _known: boolean;
  /**
   * Our own member data while entered (re-sent after every reconnect), else undefined; `at`
   * (shareConnection): when, so a new leader orders the tabs' data as they came.
   */
  _entered: Entered | undefined;
  /** The last `_entered` the service confirmed (undefined after a leave): what a rejected change goes back to. */
  _confirmed: Entered | undefined;
  /** Pending reads (`get()`) waiting for a sync. */
  _readers: number;
  /**
   * The leave on its way, until the service has it or refused it: a leave() meanwhile shares its
   * fate; `again` once nobody keeps the membership to go back to (a release came meanwhile).
   */
  _leaving: { done: Promise<void>; again: boolean } | undefined;
  _em: Emitter<PresenceEvents>;
}

/**
 * The member map of every set until its first sync: a channel used for messages only never needs
 * one (an empty `Map` costs about 180 B). Never written: a sync replaces it, and changes apply
 * only after a sync.
 */
const NO_MEMBERS: Map<string, PresenceMember> = new Map();

/** An empty presence set. */
export const createPresenceSet = (report: ListenerErrorHandler): PresenceSet => ({
  _byId: NO_MEMBERS,
  _count: 0,
  _synced: false,
  _known: false,
  _entered: undefined,
  _confirmed: undefined,
  _readers: 0,
  _leaving: undefined,
  _em: createEmitter(report),
});

/** Forgets the members (nothing is emitted): the channel no longer tracks presence. */
export const clearPresence = (set: PresenceSet): void => {
  set._byId = NO_MEMBERS;
  set._count = 0;
  set._synced = set._known = false;
};

/**
 * Applies a presence frame and notifies listeners. A change before the first sync on this
 * connection is ignored: without the full list it would make `count` and the members wrong
 * (the service sends changes to every subscriber, also to channels with message listeners only).
 */
export function applyPresence(set: PresenceSet, frame: PresenceFrame): void {
  if (frame.action === 'sync') {
    replaceMembers(set, frame.members, frame.count);
  } else if (!set._synced) {
    return;
  } else {
    const map = set._byId;
    let member = frame.member;
    const known = map.get(member.connectionId);
    if (frame.action === 'leave') {
      // The seed's leave frame carries no data: listeners get the data the client held.
      if (known && !('data' in member)) member = { ...member, data: known.data };
      // A member beyond the listed ones can leave too: the count still drops.
      if (map.delete(member.connectionId) || set._count > map.size) set._count--;
    } else {
      map.set(member.connectionId, member);
      if (!known && (frame.action === 'enter' || set._count < map.size)) set._count++;
    }
    set._em.emit(frame.action, member);
  }
  // Not when a listener disconnected or stopped tracking meanwhile.
  if (set._synced) set._em.emit('members', [...set._byId.values()]);
}

/** Members by connection id (a member list as a presence set keeps it). */
export const byConnection = (list: readonly PresenceMember[]): Map<string, PresenceMember> => new Map(list.map((member) => [member.connectionId, member]));

/**
 * Takes a full list (a sync; with shareConnection, a leader's). After an earlier list (a
 * reconnect, a new leader tab) what changed meanwhile becomes the events live frames would have
 * given: `leave` (with the data held) for members gone, `enter` for newcomers, `update` for
 * changed data, nothing for members still there. A partial list (over 100 members) proves nobody
 * absent, and after a partial one nobody new.
 */
export function replaceMembers(set: PresenceSet, list: PresenceMember[], count: number): void {
  const old = set._byId;
  const known = set._known;
  const wasComplete = old.size >= set._count;
  const next = (set._byId = byConnection(list));
  set._count = Math.max(count, next.size);
  set._synced = set._known = true;
  // A listener may disconnect or stop tracking: what is left is no news then.
  const tell = (type: 'enter' | 'leave' | 'update', member: PresenceMember): unknown => set._byId === next && set._synced && set._em.emit(type, member);
  if (!known) return;
  if (next.size >= set._count) for (const [id, member] of old) if (!next.has(id)) tell('leave', member);
  for (const [id, member] of next) {
    const was = old.get(id);
    if (was ? !sameJson(was.data, member.data) : wasComplete) tell(was ? 'update' : 'enter', member);
  }
}

/** Whether two JSON values are equal, whatever the order of their keys (stores may reorder them). */
const sameJson = (a: unknown, b: unknown): boolean =>
  a === b ||
  (typeof a === 'object' &&
    typeof b === 'object' &&
    a !== null &&
    b !== null &&
    Array.isArray(a) === Array.isArray(b) &&
    Object.keys(a).length === Object.keys(b).length &&
    Object.entries(a).every(([key, value]) => Object.prototype.hasOwnProperty.call(b, key) && sameJson(value, (b as Record<string, unknown>)[key])));

/**
 * `data` as the service gets it: a copy through JSON (`undefined` when JSON has nothing for it,
 * as for a `toJSON` that returns undefined: the member then has no data, as the service says).
 * Also what crosses tabs (share.ts): a Proxy or a `toJSON` cannot be structured-cloned.
 */
export const jsonCopy = (data: unknown): unknown => {
  const text = JSON.stringify(data);
  return text === undefined ? undefined : JSON.parse(text);
};

/**
 * A new change of `set` with `data` (a copy: what the app changes in its object later is not
 * what was entered, nor sent again on a reconnect or to undo a refusal), in the current run.
 */
export const newEntered = (set: PresenceSet, data: unknown, at?: number): Entered => {
  const entered: Entered = { data: jsonCopy(data), at };
  entered.r = set._entered?.r ?? entered;
  return (set._entered = entered);
};

/** Whether `entered` is of the current run (no leave since): its confirmation counts. */
export const inRun = (set: PresenceSet, entered: Entered): boolean => set._entered?.r === entered.r;
