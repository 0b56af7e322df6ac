/**
 * The messages the tabs of one shared connection (`shareConnection`) exchange over their
 * `BroadcastChannel`. Tabs may run different builds of the client (an app update reaches tabs one
 * by one), so every field name is plain and short, never `_`-prefixed (pulse.js renames those),
 * and errors travel as `{ code, message, status }` (structured clone drops the `PulseError` class).
 * @module
 */
import { checkServerFrame, isErrorCode, isPresenceMember, PulseError, messageText, type MessageFrame, type PresenceMember, type ServerFrame } from '@openkbs-pulse/protocol';
import { byConnection, jsonCopy } from './presence.js';
import type { EngineState } from './states.js';

/** A `PulseError` as it crosses tabs. */
export interface WireError {
  code: string;
  message: string;
  status?: number | undefined;
}

/** What a tab wants of one channel: its messages (`m`), its presence (`p`). */
export interface Want {
  k: 'want';
  tab: string;
  ch: string;
  m: boolean;
  p: boolean;
}

/** A request whose answer is a {@link Result} with the same `id`. */
export interface Request {
  k: 'req';
  tab: string;
  id: number;
  op: 'publish' | 'enter' | 'leave' | 'get';
  ch: string;
  ev?: string;
  data?: unknown;
  /** `enter`: when the tab entered or updated (its clock), which orders the tabs' data at a new leader; absent from older builds. */
  at?: number | undefined;
  /** `enter` replayed to a new leader: the tab's membership the service last confirmed, which a rejection goes back to. */
  cf?: Kept | undefined;
  /**
   * `leave`: refused by the service, the tab goes back to its membership, as without sharing (the
   * answer's `v` says to which). Absent (a release, a tab gone, an older build): nobody goes back
   * to it, and the leave is sent again instead.
   */
  keep?: boolean | undefined;
}

/** A tab's membership the service confirmed: its data and when the tab entered or updated it. */
export interface Kept {
  data: unknown;
  at?: number | undefined;
}

/** Tab to leader: a tab joins (`hello`, answered with the state), leaves (`bye`), wants or asks. */
export type ToLeader = { k: 'hello'; tab: string } | { k: 'bye'; tab: string } | Want | Request;

/** The answer to a {@link Request}. */
export interface Result {
  k: 'res';
  to: string;
  id: number;
  ok: boolean;
  /** The value; for a refused `leave` with `keep`, the {@link Kept} membership the leader went back to, if it did. */
  v?: unknown;
  e?: WireError;
}

/** A presence event of a channel, with the set after it (`to` only for the snapshot a tab asked for). */
export interface PresenceNews {
  k: 'pres';
  to?: string;
  ch: string;
  type: string;
  v: unknown;
  members: PresenceMember[];
  count: number;
  synced: boolean;
}

/**
 * Leader to tabs: a new leader (`lead`: tabs send it everything they want again), the
 * connection state, an error event, a channel message, presence, an answer, a heartbeat.
 */
export type ToTabs =
  | { k: 'lead' }
  | { k: 'beat' }
  | { k: 'state'; to?: string; s: EngineState; r: boolean; e?: WireError }
  | { k: 'err'; t: 'error' | 'update'; e: WireError }
  | { k: 'msg'; ch: string; ev: string; f: MessageFrame }
  | PresenceNews
  | Result;

export type ShareMessage = ToLeader | ToTabs;

/** Kinds a leader handles; every other kind is for tabs. */
export const isToLeader = (message: ShareMessage): message is ToLeader =>
  message?.k === 'hello' || message.k === 'bye' || message.k === 'want' || message.k === 'req';

type MessageNews = Extract<ToTabs, { k: 'msg' }>;

/**
 * The frame a `msg` carries, taken as the engine takes the service's: through JSON and
 * `checkServerFrame` (a tab's copy can hold what JSON cannot, a BigInt or a Map, which no frame
 * of the service has), a message of the news' channel whose `data.type` is the news' event;
 * else `undefined`.
 */
export const messageNews = (m: MessageNews): MessageFrame | undefined => {
  let frame: ServerFrame | undefined;
  try {
    frame = checkServerFrame(JSON.stringify(m.f));
  } catch {
    // A BigInt or a cycle: no frame.
  }
  return frame?.type === 'message' && frame.channel === m.ch && frame.data.type === m.ev ? frame : undefined;
};

/** Whether an `err` names an event a client emits (share-leader.ts posts `error` and `update` only). */
export const isErrorNews = (m: Extract<ToTabs, { k: 'err' }>): boolean => m.t === 'error' || m.t === 'update';

const isMembers = (list: unknown): boolean => Array.isArray(list) && list.every(isPresenceMember);

/**
 * The member list an answer to `get` carries, taken as a sync's members: through JSON (no BigInt
 * or Map in a member's data) and `isPresenceMember`; else `undefined` (another build's leader, or
 * any same-origin script that read the request's id off the channel).
 */
export const membersAnswer = (v: unknown): PresenceMember[] | undefined => {
  let list: unknown;
  try {
    list = jsonCopy(v);
  } catch {
    // A BigInt or a cycle: no member list.
  }
  return isMembers(list) ? (list as PresenceMember[]) : undefined;
};

/**
 * What an answer to a request of `op` settles it with, as share-leader.ts posts it: `ok: true`
 * (with a member list for a `get`, see {@link membersAnswer}), or a refusal: `ok: false`, an error
 * as {@link toWire} writes it, and at most the {@link Kept} membership a refused leave went back
 * to (through JSON, a number `at`). `[value]`; else `undefined` (another build's leader, a bug, a
 * same-origin script that read the request's id): no made-up error ends the request.
 */
export const answerOf = (m: Result, op: Request['op']): [unknown] | undefined => {
  if (m.ok === true) {
    if (op !== 'get') return [undefined];
    const list = membersAnswer(m.v);
    return list && [list];
  }
  const e = m.e;
  if (m.ok !== false || typeof e?.code !== 'string' || typeof e.message !== 'string' || !(e.status === undefined || typeof e.status === 'number')) return;
  if (m.v === undefined) return [undefined];
  let kept: Kept | undefined;
  try {
    kept = jsonCopy(m.v) as Kept | undefined;
  } catch {
    // A BigInt or a cycle: no membership.
  }
  return kept && typeof kept === 'object' && typeof kept.at === 'number' ? [{ data: kept.data, at: kept.at }] : undefined;
};

/**
 * A `pres` as share-leader.ts posts it (a presence event, its value, the member list and count),
 * copied through JSON as the service's frames come (no BigInt or Map in a member's data); else
 * `undefined`.
 */
export const presenceNews = (m: PresenceNews): PresenceNews | undefined => {
  let news: PresenceNews | undefined;
  try {
    news = jsonCopy(m) as PresenceNews;
  } catch {
    // A BigInt or a cycle: no news of ours.
  }
  if (!news || !isPresenceNews(news)) return undefined;
  // What a structured clone keeps and a JSON copy does not: the event's members are the objects
  // of the list (presence.members.indexOf(member) finds them, as without sharing).
  const listed = byConnection(news.members);
  const same = (member: PresenceMember): PresenceMember => listed.get(member.connectionId) ?? member;
  if (news.type === 'members') news.v = (news.v as PresenceMember[]).map(same);
  else if (news.type !== 'gone') news.v = same(news.v as PresenceMember);
  return news;
};

const isPresenceNews = (m: PresenceNews): boolean =>
  isMembers(m.members) &&
  Number.isFinite(m.count) &&
  typeof m.synced === 'boolean' &&
  (m.type === 'gone' || (m.type === 'members' ? isMembers(m.v) : ['enter', 'leave', 'update'].includes(m.type) && isPresenceMember(m.v)));

export const toWire = (error: unknown): WireError => {
  if (error instanceof PulseError) return { code: error.code, message: error.message, status: error.statusCode };
  const why = (error as Error | undefined)?.message ?? error;
  // messageText: a thrown value without a string form must not throw here too.
  return { code: 'server_error', message: messageText(why) };
};

/** The error a {@link WireError} stands for; anything else (another build's or a bug's message) is a `server_error`. */
export const fromWire = (error: WireError | undefined): PulseError =>
  new PulseError(isErrorCode(error?.code) ? error.code : 'server_error', typeof error?.message === 'string' ? error.message : 'the tab holding the shared connection gave no reason', {
    statusCode: error?.status,
  });
