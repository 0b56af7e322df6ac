/**
 * The leader of a shared connection: the tab holding the Web Lock runs the real engine and
 * serves every tab (itself included, through the same messages) from it.
 *
 * - Subscriptions are reference-counted by tab: the engine gets one message listener and one
 *   presence listener per channel while any tab wants it, so the service sees one subscription,
 *   and each message is posted once (tabs without listeners on the channel drop it).
 * - Presence: one member per connection, so per user, while any tab has entered; its data is
 *   the data of the tab that entered (or updated) last. When that tab leaves, the member takes
 *   the data of the latest remaining tab; it leaves when no tab is entered.
 * - Requests run on the engine; their promises' outcome goes back to the asking tab.
 * @module
 */
import { PulseError, type Clock, type PresenceMember } from '@openkbs-pulse/protocol';
import { ANY, type WildcardHandler } from './emitter.js';
import type { Engine } from './engine.js';
import type { PresenceEvents } from './presence.js';
import { toWire, type Kept, type Request, type ToLeader, type ToTabs } from './share-protocol.js';

/** Interval of the leader's heartbeat, in ms (kept well under a minute: hidden tabs' timers may run once a minute). */
export const BEAT_MS = 5_000;

/** A tab's member data, when it entered or updated it, and its run (as the tab's own record, presence.ts). */
interface Entry {
  data: unknown;
  at: number;
  r?: Entry;
}

interface Served {
  /** Tabs wanting messages / presence. */
  m: Set<string>;
  p: Set<string>;
  offM?: (() => void) | undefined;
  offP?: (() => void) | undefined;
  /** Entered tabs and their data, by when they entered or updated, oldest first. */
  entered: Map<string, Entry>;
  /** Each tab's last entry the service confirmed: what a rejected change goes back to. */
  confirmed: Map<string, Entry>;
  /** Tabs whose leave, the member's (no tab left entered), is on its way (see `left`). */
  leaving: Map<string, Promise<void>>;
}

export interface Leader {
  receive(message: ToLeader): void;
  /** Stops serving: drops listeners and presence and closes the engine (the lock goes next). */
  stop(): void;
}

/** Starts serving with `engine` (connecting it); `post` reaches every tab, the leader's own too. The caller announces `lead`. */
export function createLeader(engine: Engine, post: (message: ToTabs) => void, clock: Clock): Leader {
  const served = new Map<string, Served>();
  const stateOf = (to?: string): ToTabs => ({ k: 'state', to, s: engine._state, r: engine._retrying });
  const offs = [
    engine._on('state', (change) => post({ k: 'state', s: change.current, r: engine._retrying, e: change.reason && toWire(change.reason) })),
    engine._on('error', (error) => post({ k: 'err', t: 'error', e: toWire(error) })),
    engine._on('update', (error) => post({ k: 'err', t: 'update', e: toWire(error) })),
  ];
  let beat: unknown;
  let stopped = false;
  const tick = (): void => {
    post({ k: 'beat' });
    beat = clock.setTimeout(tick, BEAT_MS);
  };

  const serve = (ch: string): Served => {
    let s = served.get(ch);
    if (!s) served.set(ch, (s = { m: new Set(), p: new Set(), entered: new Map(), confirmed: new Map(), leaving: new Map() }));
    return s;
  };
  const members = (ch: string): PresenceMember[] => [...(engine._channel(ch)?._presence._byId.values() ?? [])];
  const presenceNews = (ch: string, type: string, v: unknown, to?: string): ToTabs => {
    const set = engine._channel(ch)?._presence;
    return { k: 'pres', to, ch, type, v, members: members(ch), count: set?._count ?? 0, synced: !!set?._synced };
  };

  /** Listens on the engine while some tab wants the channel's messages / presence. */
  const attach = (ch: string, s: Served): void => {
    if (s.m.size && !s.offM) s.offM = engine._listen(ch, 'm', ANY, ((frame, ev) => post({ k: 'msg', ch, ev: ev as string, f: frame as never })) as WildcardHandler<never>);
    if (!s.m.size && s.offM) s.offM = void s.offM();
    const onPresence: WildcardHandler<PresenceEvents> = (v, type) => post(presenceNews(ch, type, type === 'gone' ? toWire(v) : v));
    if (s.p.size && !s.offP) s.offP = engine._listen(ch, 'p', ANY, onPresence as unknown as WildcardHandler<never>);
    if (!s.p.size && s.offP) s.offP = void s.offP();
    // Kept while a leave is on its way: its refusal may put a tab's entry back.
    if (!s.m.size && !s.p.size && !s.entered.size && !s.leaving.size) served.delete(ch);
  };

  /**
   * Removes `tab`'s membership: the member takes the latest remaining tab's data, or leaves.
   * `keep`: the tab goes back to its membership if the service refuses the leave (see {@link left}).
   */
  const leave = (ch: string, tab: string, keep = false): Promise<void> => {
    const s = served.get(ch);
    const going = s?.leaving.get(tab);
    // Its leave on its way, and a release or a bye since: nobody goes back to the membership, so
    // the engine (with no tab entered) sends a refused leave again instead, and the tab's entry
    // is not put back (see `left`).
    if (going && !s!.entered.has(tab)) {
      if (!keep && !s!.entered.size) void engine._leave(ch, true).catch(() => undefined);
      return going;
    }
    if (!s?.entered.has(tab)) return Promise.resolve();
    const latest = [...s.entered.keys()].pop() === tab;
    const back = keep ? s.confirmed.get(tab) : undefined;
    s.entered.delete(tab);
    s.confirmed.delete(tab);
    const rest = [...s.entered.values()];
    // With tabs still entered the member stays, and this tab has left now: the member taking the
    // latest remaining tab's data must not hold the leave (it waits while the connection is down).
    // Whatever the outcome, the tab has left: the member keeps the remaining tabs' data.
    if (rest.length && latest) engine._enter(ch, rest[rest.length - 1]!.data, undefined, true).catch(() => resync(ch, s));
    const done = rest.length ? Promise.resolve() : left(ch, s, tab, back);
    attach(ch, s);
    return done;
  };

  /**
   * The member leaves with `tab`, its last entered tab. Refused, the engine goes back to its
   * membership (with no entry to go back to, it sends the leave again), and so does the tab's
   * entry, as without sharing (docs/connection-states.md point 4); not when anything changed
   * since (a tab entered, this tab left again, a release or a bye) or the connection went.
   */
  const left = (ch: string, s: Served, tab: string, back: Entry | undefined): Promise<void> => {
    const done = engine._leave(ch, !back);
    s.leaving.set(tab, done);
    const end = (refused: boolean): void => {
      // A later leave of the tab decides.
      if (s.leaving.get(tab) !== done) return;
      s.leaving.delete(tab);
      // The engine went back (its handler ran first): refused on this connection, its leave the
      // latest, with no enter since.
      if (refused && back && !s.entered.size && engine._channel(ch)?._presence._entered) {
        put(s, tab, back);
        s.confirmed.set(tab, back);
      }
      if (refused) resync(ch, s);
      attach(ch, s);
    };
    done.then(
      () => end(false),
      () => end(true),
    );
    return done;
  };

  /** What a refused leave of `r.tab` went back to, which the tab goes back to too (see `keep`). */
  const kept = (r: Request): Kept | undefined => {
    const back = r.op === 'leave' && r.keep ? served.get(r.ch)?.confirmed.get(r.tab) : undefined;
    return back && { data: back.data, at: back.at };
  };

  const run = (r: Request): Promise<unknown> => {
    if (r.op === 'publish') return engine._publish(r.ch, r.ev!, r.data);
    if (r.op === 'get') return engine._get(r.ch);
    if (r.op === 'leave') return leave(r.ch, r.tab, !!r.keep);
    if (r.op === 'enter') return enter(r);
    // A newer build's request (or a bug's): refused, never taken for another.
    return Promise.reject(new PulseError('invalid_message', 'a request this tab does not know (another build of the client?)'));
  };

  const enter = (r: Request): Promise<void> => {
    const s = serve(r.ch);
    const entry: Entry = { data: r.data, at: typeof r.at === 'number' ? r.at : clock.now() };
    entry.r = s.entered.get(r.tab)?.r ?? entry;
    // A replay to a new leader brings what the service had confirmed of this tab.
    if (r.cf && !s.confirmed.has(r.tab)) s.confirmed.set(r.tab, { data: r.cf.data, at: r.cf.at ?? entry.at, r: entry.r });
    put(s, r.tab, entry);
    return engine._enter(r.ch, [...s.entered.values()].pop()!.data).then(
      // Not after the tab left (and entered again).
      () => void (s.entered.get(r.tab)?.r === entry.r && s.confirmed.set(r.tab, entry)),
      (error: unknown) => {
        // Rejected: the tab's entry goes back to its last confirmed one (none: not entered), as the
        // tab records it, and the member takes the latest remaining entry's data.
        if (s.entered.get(r.tab) === entry) {
          put(s, r.tab, s.confirmed.get(r.tab));
          resync(r.ch, s);
          attach(r.ch, s);
        }
        throw error;
      },
    );
  };

  /** Sets (or, with no entry, removes) `tab`'s entry, keeping the map ordered by `at`: a new leader hears the tabs' replays in any order. */
  const put = (s: Served, tab: string, entry: Entry | undefined): void => {
    s.entered.delete(tab);
    if (entry) s.entered.set(tab, entry);
    s.entered = new Map([...s.entered].sort((x, y) => x[1].at - y[1].at));
  };

  /**
   * Makes the engine's membership the latest entry's (or none), when it is not already: sent now
   * when connected; else set as what the engine sends when a connection opens (a suspended engine
   * takes no work, and a timed-out change put back a tab's data that is gone since).
   */
  const resync = (ch: string, s: Served): void => {
    const latest = [...s.entered.values()].pop();
    const set = engine._channel(ch)?._presence;
    // The engine keeps a copy of the data: compared as JSON.
    if (latest ? JSON.stringify(set?._entered?.data) === JSON.stringify(latest.data) : !set?._entered) return;
    if (engine._state !== 'connected' && set) set._entered = set._confirmed = latest && { data: latest.data, r: set._entered?.r };
    else void (latest ? engine._enter(ch, latest.data, undefined, true) : engine._leave(ch, true)).catch(() => undefined);
  };

  const receive = (message: ToLeader): void => {
    if (message.k === 'hello') {
      engine._connect();
      post(stateOf(message.tab));
    } else if (message.k === 'want') {
      const s = serve(message.ch);
      const hadP = s.p.has(message.tab);
      for (const [set, on] of [[s.m, message.m], [s.p, message.p]] as const) {
        if (on) set.add(message.tab);
        else set.delete(message.tab);
      }
      attach(message.ch, s);
      // A tab that starts watching presence gets the set as it is now, or as it was last known
      // (suspended): the next full list is compared with it, as in the engine.
      if (message.p && !hadP && engine._channel(message.ch)?._presence._known) post(presenceNews(message.ch, 'members', members(message.ch), message.tab));
    } else if (message.k === 'bye') {
      for (const [ch, s] of [...served]) {
        s.m.delete(message.tab);
        s.p.delete(message.tab);
        void leave(ch, message.tab).catch(() => undefined);
        attach(ch, s);
      }
    } else {
      const { tab: to, id } = message;
      // Once stopped, the outcome is not this leader's to tell: closing the engine rejects what
      // it held, but the tabs send it again to the next leader (a tab calling disconnect() has
      // rejected its own already).
      run(message).then(
        (v) => stopped || post({ k: 'res', to, id, ok: true, v }),
        (error: unknown) => stopped || post({ k: 'res', to, id, ok: false, e: toWire(error), v: kept(message) }),
      );
    }
  };

  tick();
  engine._connect();
  return {
    receive,
    stop() {
      stopped = true;
      clock.clearTimeout(beat);
      for (const off of offs) off();
      for (const [ch, s] of served) {
        s.offM?.();
        s.offP?.();
        engine._release(ch);
      }
      served.clear();
      engine._close();
    },
  };
}
