/**
 * `shareConnection`: one WebSocket per browser for all tabs of an origin, kbId and user.
 *
 * Every tab gets this {@link Engine}. It keeps the tab's channels, listeners and presence
 * locally, like the real engine, and sends what it wants to the leader: the tab holding the Web
 * Lock `openkbs-pulse:<kbId>:<userId>`, which runs the real engine (share-leader.ts) and answers
 * over a `BroadcastChannel` of the same name. The leader's own tab talks to it through the same
 * messages, called directly, so leading and following are one code path.
 *
 * Failover: the lock is released when the leader tab closes or crashes (the browser does it) or
 * disconnects; the next tab waiting on it leads, announces `lead`, and every tab sends again its
 * channels, its presence and its unanswered requests (at least once, as the engine resends
 * unconfirmed publishes). A leader that stays silent for {@link SILENCE_MS} (a frozen tab) has its
 * lock stolen (`steal: true`); if it wakes up it finds it lost the lock and follows. Silence counts
 * only until the waiting tab's watchdog was due: time that tab was frozen itself (its watchdog runs
 * late) is never the leader's silence.
 *
 * Without `navigator.locks` or `BroadcastChannel`, or with a token without `userId`, the tab
 * connects on its own (`createEngine`), silently; where `navigator.locks` refuses (an opaque
 * origin) it leads its own engine without a lock and without the channel.
 * @module
 */
import { decodeTokenClaims, presenceDataProblem, publishProblem, PulseError, systemClock, type Clock, type PresenceMember } from '@openkbs-pulse/protocol';
import { createChannelState, wantsPresence, wantsSubscription, type ChannelState } from './channel-state.js';
import { createEmitter, reporterFor, type Handler } from './emitter.js';
import { checkExpiredAtStart, thrownError, type Engine, type EngineEvents, type EngineOptions } from './engine.js';
import { byConnection, clearPresence, inRun, jsonCopy, newEntered, replaceMembers, type Entered, type PresenceSet } from './presence.js';
import { BEAT_MS, createLeader, type Leader } from './share-leader.js';
import { answerOf, fromWire, isErrorNews, messageNews, presenceNews, isToLeader, type Kept, type Request, type ShareMessage, type ToLeader, type ToTabs, type WireError } from './share-protocol.js';
import { holdsWork, TRANSITIONS, type EngineState } from './states.js';

/** Leader silence after which a waiting tab takes the lock from it, in ms (twelve missed beats: hidden tabs' timers can be throttled to one a minute). */
export const SILENCE_MS = 12 * BEAT_MS + 5_000;

/** The parts of the Web Locks API used here. */
export interface ShareLocks {
  request(name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: () => Promise<void>): Promise<unknown>;
}

/** The part of `BroadcastChannel` used here. */
export interface ShareChannel {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

/** Where the browser APIs come from (tests pass fakes). */
export interface ShareEnv {
  locks?: ShareLocks | undefined;
  BroadcastChannel?: (new (name: string) => ShareChannel) | undefined;
}

const browserEnv = (): ShareEnv => {
  const g = globalThis as unknown as { navigator?: { locks?: ShareLocks }; BroadcastChannel?: new (name: string) => ShareChannel };
  return { locks: g.navigator?.locks, BroadcastChannel: g.BroadcastChannel };
};

interface Pending {
  message: Request;
  resolve(value: unknown): void;
  reject(error: PulseError): void;
  /** Called with a refusal's value (a refused leave's membership to go back to, checked) before the rejection's handlers run. */
  refused?: ((v: Kept | undefined) => void) | undefined;
  timer: unknown;
}

/**
 * The engine of a tab sharing its connection, or `createEngine(options)` where sharing cannot
 * work. Throws what `createEngine` throws for bad options.
 */
export function createSharedEngine(options: EngineOptions, createEngine: (options: EngineOptions) => Engine, env: ShareEnv = browserEnv()): Engine {
  const userId = decodeTokenClaims(options.token)?.userId;
  const { locks, BroadcastChannel: Channel } = env;
  if (!locks || !Channel || typeof userId !== 'string') return createEngine(options);
  // Checks the options now, and is the engine this tab runs whenever it leads.
  const engine = createEngine({ ...options, autoConnect: false });
  // It starts with autoConnect off: an expired token nothing can refresh is refused here, as without sharing.
  checkExpiredAtStart(options);
  const clock: Clock = options.clock ?? systemClock;
  const name = `openkbs-pulse:${options.kbId}:${userId}`;
  const tab = Math.random().toString(36).slice(2) + clock.now().toString(36);
  const ttlMs = options.connectionStateTtlMs ?? 120_000;
  const deadlineMs = ttlMs + SILENCE_MS;
  const report = reporterFor(options.onListenerError);
  const em = createEmitter<EngineEvents>(report);
  const channels = new Map<string, ChannelState>();
  /** What the leader was last told this tab wants, by channel. */
  const told = new Map<string, string>();
  const pending = new Map<number, Pending>();
  /** Open while joined only: an open channel with a handler is never garbage-collected, nor the client it holds. */
  let bc: ShareChannel | undefined;
  /** Web Locks refused this client (an opaque origin): it connects on its own, as where they are missing. */
  let alone = false;

  let state: EngineState = 'initialized';
  let retrying = false;
  let joined = false;
  let nextId = 0;
  let leader: Leader | undefined;
  let release: (() => void) | undefined;
  let abort: AbortController | undefined;
  let lastBeat = clock.now();
  let watchdog: unknown;

  /** As the engine: a change of the state, or of `retrying` in the same state (what `Pulse` shows changed). */
  const setState = (current: EngineState, reason?: PulseError, r = retrying): void => {
    const previous = state;
    const was = retrying;
    state = current;
    retrying = r;
    // Its reason, if any, also comes as an `err` message (the engine emits both).
    if (current !== previous || r !== was) em.emit('state', { current, previous, reason });
  };

  /** To the leader: called directly when this tab leads, else broadcast. */
  const send = (message: ToLeader): void => {
    if (leader) leader.receive(message);
    else bc?.postMessage(message);
  };
  /** From the leader to every tab, this one included. */
  const post = (message: ToTabs): void => {
    bc?.postMessage(message);
    receive(message);
  };

  const want = (ch: ChannelState, force = false): void => {
    const m = ch._em.all.size > 0;
    // Tracking started by reading members/count lasts while the channel has message listeners.
    if (!m) ch._track = false;
    const p = wantsPresence(ch);
    const key = `${+m}${+p}`;
    if (!p) clearPresence(ch._presence);
    // Kept while its leave is on its way: a refusal goes back to the membership.
    if (!wantsSubscription(ch) && !ch._presence._leaving && channels.get(ch._name) === ch) channels.delete(ch._name);
    if (!joined || (!force && (told.get(ch._name) ?? '00') === key)) return;
    // Nothing wanted is the default: forgetting it keeps `told` as small as the channels in use.
    if (key === '00') told.delete(ch._name);
    else told.set(ch._name, key);
    send({ k: 'want', tab, ch: ch._name, m, p });
  };

  /** Tells a (new) leader everything this tab wants: its channels, its presence, its unanswered requests. */
  const replay = (): void => {
    if (!joined) return;
    told.clear();
    send({ k: 'hello', tab });
    for (const ch of channels.values()) {
      want(ch, true);
      const { _entered: entered, _confirmed: confirmed } = ch._presence;
      // With what the service confirmed, which a rejection at the new leader goes back to.
      if (entered) send({ k: 'req', tab, id: -1, op: 'enter', ch: ch._name, data: entered.data, at: entered.at, cf: confirmed && { data: confirmed.data, at: confirmed.at } });
    }
    for (const p of pending.values()) send(p.message);
  };

  const receive = (message: ToTabs): void => {
    if ('to' in message && message.to !== undefined && message.to !== tab) return;
    if (message.k === 'lead' || message.k === 'beat') {
      lastBeat = clock.now();
      if (message.k === 'lead') replay();
    } else if (!joined) {
      return;
    } else if (message.k === 'state') {
      // A state no build has (another build's, a bug's) would refuse every publish of this tab.
      if (!Object.hasOwn(TRANSITIONS, message.s)) return malformed();
      // As the engine: a failure or a close forgets the member lists (suspended keeps them).
      if (message.s === 'failed' || message.s === 'closed') for (const ch of channels.values()) clearPresence(ch._presence);
      setState(message.s, message.e && fromWire(message.e), message.r);
    } else if (message.k === 'err') {
      // Another event name (`state`) would reach listeners that expect something else.
      if (!isErrorNews(message)) return malformed();
      // State changes carry their own reason (emitted with them above).
      em.emit(message.t, fromWire(message.e));
    } else if (message.k === 'msg') {
      // Checked here as the engine checks the service's frames: a listener gets a frame or nothing.
      const frame = messageNews(message);
      if (!frame) return malformed();
      channels.get(frame.channel)?._em.emit(frame.data.type, frame);
    } else if (message.k === 'pres') {
      const news = presenceNews(message);
      if (!news) return malformed();
      const ch = channels.get(news.ch);
      if (!ch || !wantsPresence(ch)) return;
      const set = ch._presence;
      // A full list is compared with the tab's own: a new leader's first sync gives no events of
      // its own, and members gone during the handover must still leave. After the leader's events
      // the tab's list is already the new one: no event twice.
      if (news.type === 'members' && news.synced) replaceMembers(set, news.members, news.count);
      // The set is gone for now: the tab keeps its list, as the last known one, for the next full list.
      else if (news.type === 'gone') set._synced = false;
      else {
        set._byId = byConnection(news.members);
        set._count = news.count;
        set._synced = news.synced;
        // The list the leader kept (suspended, or asking again): known, so the next full list is
        // compared with it; taken in silently, as the engine emits `members` only when synced.
        if (news.type === 'members' && !news.synced) return void (set._known = true);
      }
      // A listener that disconnected during the events above: the rest is no news.
      if (news.synced && !set._synced) return;
      set._em.emit(news.type as 'members', (news.type === 'gone' ? fromWire(news.v as WireError) : news.v) as never);
    } else if (message.k === 'res') {
      // An answer names its tab (`to`): another tab's request with the same id is not this one.
      const p = message.to === tab ? pending.get(message.id) : undefined;
      if (!p) return;
      // Checked as the engine checks a sync: a read resolves with members or not at all, and only
      // a refusal as the leader sends it ends a request. A bad answer is ignored (the leader's own
      // may still come; else the request's deadline rejects).
      const answer = answerOf(message, p.message.op);
      if (!answer) return malformed();
      pending.delete(message.id);
      clock.clearTimeout(p.timer);
      // A publish or presence change resolves with nothing, whatever the answer carries.
      if (message.ok) p.resolve(answer[0]);
      else {
        // Rejected first: nothing after can leave the request unsettled (its handlers run later).
        p.reject(fromWire(message.e));
        p.refused?.(answer[0] as Kept | undefined);
      }
    } else malformed();
  };

  /** A message that is not one of ours: reported as an `update`, and it changes nothing. */
  const malformed = (): void => em.emit('update', new PulseError('invalid_message', 'ignored a malformed message from another tab'));

  /** Opens the channel; any tab of the origin can post anything on it (another build of the client, a bug). */
  const open = (): void => {
    bc = new Channel(name);
    bc.onmessage = (event) => {
      const message = event.data as ShareMessage;
      try {
        if (isToLeader(message)) leader?.receive(message);
        else receive(message);
      } catch {
        malformed();
      }
    };
  };
  const shut = (): void => {
    bc?.close();
    bc = undefined;
  };

  // ---- leading --------------------------------------------------------------------------

  const lead = (unlock: () => void): void => {
    if (!joined || leader) return unlock();
    release = unlock;
    leader = createLeader(engine, post, clock);
    post({ k: 'lead' });
  };
  /** Stops leading (disconnect, or the lock was stolen); returns whether this tab led. */
  const resign = (): boolean => {
    const was = leader;
    leader = undefined;
    was?.stop();
    release?.();
    release = undefined;
    return !!was;
  };
  /** Waits for the lock (or takes it: `steal`); holds it until {@link resign}. */
  const requestLock = (steal = false): void => {
    abort?.abort();
    const current = (abort = new AbortController());
    let granted = false;
    const callback = (): Promise<void> => {
      granted = true;
      return new Promise<void>((resolve) => lead(resolve));
    };
    locks.request(name, steal ? { steal } : { signal: current.signal }, callback).catch(() => {
      // Neither aborted by this tab nor stolen after it was granted: Web Locks refuse here
      // (SecurityError in an opaque origin: a sandboxed iframe, a data: URL).
      if (!granted && !current.signal.aborted) return goAlone();
      // Aborted while waiting (disconnect, or this tab steals), or stolen while leading: follow.
      if (abort === current && resign() && joined) {
        requestLock();
        replay();
      }
    });
  };
  /** Leads without a lock and without the channel: no other tab may hear a second leader. */
  const goAlone = (): void => {
    alone = true;
    shut();
    lead(() => undefined);
  };
  const watch = (): void => {
    const due = clock.now() + BEAT_MS;
    watchdog = clock.setTimeout(() => {
      // Silence counts until the watchdog was due: the time it ran late (this tab frozen, or its
      // timers throttled) is this tab's, not the leader's (the beats queued meanwhile come after
      // this timer). A leader really silent is noticed at a later run.
      if (!leader && due - lastBeat > SILENCE_MS) {
        lastBeat = clock.now();
        requestLock(true);
      }
      watch();
    }, BEAT_MS);
  };

  // ---- requests -------------------------------------------------------------------------

  /** Rejects at once and emits it, as the engine does for work it cannot take. */
  const refuse = <T>(error: PulseError): Promise<T> => {
    em.emit('error', error);
    const promise = Promise.reject(error);
    promise.catch(() => undefined);
    return promise;
  };
  /** Runs `work`; a throw (a getter or Proxy trap of the data) is refused as the engine refuses it. */
  const settle = <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return work();
    } catch (error) {
      return refuse(thrownError(error));
    }
  };
  /** Why work cannot be taken now, as the engine says it: `suspended` is "try again", not "call connect()". */
  const cannotWork = (): PulseError | undefined => {
    if (state === 'suspended') return new PulseError('timeout', `no connection for over ${ttlMs / 1000} s: try again once connected`);
    return joined && holdsWork(state) ? undefined : new PulseError('not_connected', `not connected (${state}): call connect()`);
  };

  const request = <T>(fields: Omit<Request, 'k' | 'tab' | 'id'>, refused?: Pending['refused']): Promise<T> => {
    const cannot = cannotWork();
    if (cannot) return refuse(cannot);
    const message: Request = { ...fields, k: 'req', tab, id: nextId++, data: jsonCopy(fields.data) };
    const promise = new Promise<T>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        pending.delete(message.id);
        const error = new PulseError('timeout', `no answer from the tab holding the shared connection in ${deadlineMs / 1000} s`);
        em.emit('error', error);
        reject(error);
      }, deadlineMs);
      pending.set(message.id, { message, resolve: resolve as (value: unknown) => void, reject, refused, timer });
    });
    // The leader's engine emitted its failures as `error` events already (mirrored to every tab).
    promise.catch(() => undefined);
    send(message);
    return promise;
  };

  /** Rejects the requests `hit` picks, still waiting for their answer (a later one finds none); their `error` event once, as the engine's. */
  const drop = (error: PulseError, hit: (message: Request) => boolean): void => {
    const size = pending.size;
    for (const p of pending.values()) {
      if (!hit(p.message)) continue;
      pending.delete(p.message.id);
      clock.clearTimeout(p.timer);
      p.reject(error);
    }
    if (pending.size < size) em.emit('error', error);
  };

  /** As the engine's `_use`: the face that first puts the channel in use is the one `channel(name)` returns. */
  const use = (name: string, face?: unknown): ChannelState => {
    let ch = channels.get(name);
    if (!ch) channels.set(name, (ch = createChannelState(name, report)));
    ch._face ??= face;
    return ch;
  };

  /**
   * Leaves `name`, as the engine does: a leave on its way is this one too (it settles with it);
   * refused, the membership goes back to the one the leader went back to (see {@link back}).
   * `again` (a release): nobody goes back to it, and the leader sends the leave again.
   */
  const leave = (name: string, again = false): Promise<void> => {
    const ch = channels.get(name);
    const set = ch?._presence;
    const going = set?._leaving;
    if (going && !set._entered) {
      // Released meanwhile: the leader is told (its answer is nobody's).
      if (again && !going.again) send({ k: 'req', tab, id: -1, op: 'leave', ch: name });
      going.again ||= again;
      return going.done;
    }
    if (!ch || !set?._entered) return Promise.resolve();
    set._entered = set._confirmed = undefined;
    let done = Promise.resolve();
    if (joined && holdsWork(state)) {
      const current = (set._leaving = { done, again });
      done = current.done = request<void>({ op: 'leave', ch: name, keep: !again }, (v) => back(set, current, v));
      const end = (): void => {
        if (set._leaving === current) set._leaving = undefined;
        want(ch);
      };
      done.then(end, end);
    }
    want(ch);
    return done;
  };

  /**
   * A refused leave: the membership goes back to `v`, what the leader went back to (nothing when
   * the connection went, or another tab is entered: this tab has left then), unless a later leave
   * or a release came since. After an enter meanwhile, which the leader took as a change of that
   * membership, it is what that enter's rejection goes back to.
   */
  const back = (set: PresenceSet, current: NonNullable<PresenceSet['_leaving']>, v: Kept | undefined): void => {
    if (set._leaving !== current || current.again || !v) return;
    const kept: Entered = { data: v.data, at: v.at };
    kept.r = set._entered?.r ?? kept;
    set._confirmed = kept;
    set._entered ??= kept;
  };

  /** Leaving the page says goodbye (the leader drops this tab's wants); back from the back/forward cache, it says them again. */
  const onPage = (event: { type: string; persisted?: boolean }): void => {
    if (event.type === 'pagehide') {
      if (joined) send({ k: 'bye', tab });
    } else if (event.persisted) replay();
  };
  const listenPage = (on: boolean): void => {
    const g = globalThis as { addEventListener?: (type: string, fn: typeof onPage) => void; removeEventListener?: (type: string, fn: typeof onPage) => void };
    for (const type of ['pagehide', 'pageshow']) g[on ? 'addEventListener' : 'removeEventListener']?.(type, onPage);
  };

  const shared: Engine = {
    _report: report,
    get _state() {
      return state;
    },
    get _retrying() {
      return retrying;
    },
    _on(type, handler) {
      em.on(type, handler);
      return () => em.off(type, handler);
    },
    _connect() {
      if (joined) return send({ k: 'hello', tab });
      joined = true;
      lastBeat = clock.now();
      // As the engine's connect: a new attempt, not a retry of the connection lost before disconnect().
      setState('connecting', undefined, false);
      listenPage(true);
      if (alone) lead(() => undefined);
      else {
        open();
        requestLock();
      }
      watch();
      replay();
    },
    _close() {
      if (!joined) return;
      send({ k: 'bye', tab });
      joined = false;
      listenPage(false);
      clock.clearTimeout(watchdog);
      abort?.abort();
      resign();
      const error = new PulseError('disconnected', 'disconnect() came first');
      // As the engine: work it held is rejected, and that is emitted once.
      drop(error, () => true);
      for (const ch of channels.values()) {
        clearPresence(ch._presence);
        ch._presence._em.emit('gone', error);
      }
      // The states the engine goes through (`closing` while a socket may be open), at once: this tab has no socket to wait for.
      if (TRANSITIONS[state].close?.startsWith('closing')) setState('closing');
      setState('closed');
      // After the goodbye: a browser still delivers what was posted before close().
      shut();
    },
    _channel: (name) => channels.get(name),
    _listen(name, target, type, handler, face) {
      const ch = use(name, face);
      const emitter = (target === 'm' ? ch._em : ch._presence._em) as unknown as { on(t: unknown, h: Handler): void; off(t: unknown, h: Handler): void };
      emitter.on(type, handler as Handler);
      want(ch);
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        emitter.off(type, handler as Handler);
        want(ch);
      };
    },
    _publish(name, event, data) {
      return settle(() => {
        const problem = publishProblem(name, event, data);
        // The problem is the options too: its `cause` is what the data's getter or trap threw.
        return problem ? refuse(new PulseError(problem.code, problem.message, problem)) : request<void>({ op: 'publish', ch: name, ev: event, data });
      });
    },
    _enter(name, data, face) {
      return settle(() => {
        const problem = presenceDataProblem(name, data);
        if (problem) return refuse(new PulseError(problem.code, problem.message, problem));
        const cannot = cannotWork();
        if (cannot) return refuse(cannot);
        const ch = use(name, face);
        const set = ch._presence;
        // Replayed to every new leader: kept in the form that crosses tabs (a copy).
        const entered = newEntered(set, data, clock.now());
        want(ch);
        const done = request<void>({ op: 'enter', ch: name, data, at: entered.at });
        // As the engine: rejected means not done, so this tab's membership goes back to the last
        // confirmed one (a rejected enter is not replayed to a later leader), unless it changed since.
        done.then(
          () => void (inRun(set, entered) && (set._confirmed = entered)),
          () => {
            if (set._entered === entered) {
              set._entered = set._confirmed;
              want(ch);
            }
          },
        );
        return done;
      });
    },
    _leave: leave,
    _get(name, face) {
      const cannot = cannotWork();
      if (cannot) return refuse(cannot);
      // As the engine's reader: the channel stays in use, with the object the read was called on
      // (what channel(name) returns meanwhile), until the read settles.
      const ch = use(name, face);
      const set = ch._presence;
      set._readers++;
      want(ch);
      const done = request<PresenceMember[]>({ op: 'get', ch: name });
      const end = (): void => {
        set._readers--;
        want(ch);
      };
      done.then(end, end);
      return done;
    },
    _members(name, peek) {
      const ch = channels.get(name);
      if (!ch) return { members: [], count: 0 };
      if (!peek && ch._em.all.size && !ch._track) {
        ch._track = true;
        want(ch);
      }
      return { members: [...ch._presence._byId.values()], count: ch._presence._count };
    },
    _release(name) {
      const error = new PulseError('disconnected', `channel ${name} released`);
      // A presence read still waiting goes with its channel, as without sharing (the engine's
      // `gone`); it lets the channel go once its rejection is handled.
      drop(error, (message) => message.op === 'get' && message.ch === name);
      const ch = channels.get(name);
      if (!ch) return;
      void leave(name, true).catch(() => undefined);
      ch._presence._em.emit('gone', error);
      ch._em.all.clear();
      ch._presence._em.all.clear();
      ch._track = false;
      // As the engine: a get after a release makes a new object.
      ch._face = undefined;
      want(ch);
    },
  };
  if (options.autoConnect !== false) shared._connect();
  return shared;
}
