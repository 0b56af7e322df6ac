/**
 * `Pulse.Realtime`: the Ably-style face of the tutorial (`realtime.channels.get(name)`,
 * `channel.subscribe(name, cb(message))`, `channel.presence.get(cb)`), a thin adapter over the
 * same connection engine as `Pulse`.
 * @module
 */
import { PulseError, shownValue, type JsonObject, type MessageFrame, type PresenceMember } from '@openkbs-pulse/protocol';
import type { ChannelState } from './channel-state.js';
import { ANY } from './emitter.js';
import type { Engine, EngineOptions, StateChange } from './engine.js';
import { args, channelFace, checkListener, CLIENT_EVENTS, newEngine } from './face.js';
import { TRANSITIONS, type EngineState } from './states.js';

/** Connection states of `Pulse.Realtime`: Ably's. */
export type RealtimeState = EngineState;

/** Options of `new Pulse.Realtime(...)`. */
export interface RealtimeOptions extends EngineOptions {
  /** Your user id (informational: the service takes the member id from the token). */
  clientId?: string;
}

/** A message as `Pulse.Realtime` listeners receive it. */
export interface RealtimeMessage<T = JsonObject> {
  /** Event name. */
  name: string;
  /** Payload (with `type` = event name). */
  data: T;
  /** When the service accepted it (ms since epoch). */
  timestamp: number;
  /** The channel it was published to. */
  channel: string;
}

/** A presence member as `Pulse.Realtime` shows it. */
export interface RealtimeMember {
  /** The user id the member's token was minted for. */
  clientId: string;
  /** Unique per connection: one user can be present from several tabs. */
  connectionId: string;
  /** The data given to `enter` / `update`. */
  data: unknown;
  /** When the member entered (ms since epoch), when the service says. */
  connectedAt?: number;
  /**
   * As Ably's presence messages: the change a `presence.subscribe` listener hears (`enter`,
   * `leave`, `update`), or `present` for a member listed by `presence.get()`.
   */
  action: PresenceAction | 'present';
}

/** Presence change actions. */
export type PresenceAction = 'enter' | 'leave' | 'update';

/** Presence of a `Pulse.Realtime` channel. */
export interface RealtimePresence {
  /**
   * Enters the presence set (re-entered with the latest data after every reconnect).
   *
   * @param data - what other members see: a JSON value.
   * @example
   * ```ts
   * await channel.presence.enter({ name: 'Ada' });
   * ```
   */
  enter(data?: unknown): Promise<void>;
  /**
   * Replaces this connection's member data (enters when not entered yet).
   *
   * @param data - the new member data.
   * @example
   * ```ts
   * await channel.presence.update({ status: 'away' });
   * ```
   */
  update(data?: unknown): Promise<void>;
  /**
   * Leaves the presence set.
   *
   * @example
   * ```ts
   * await channel.presence.leave();
   * ```
   */
  leave(): Promise<void>;
  /**
   * The current members (waits for the first sync when none arrived yet). Rejects with
   * `disconnected` when the channel is detached or the client closed before then, `timeout`
   * when no connection came back within `connectionStateTtlMs`, the error of a `failed`
   * connection, the code of an `error` frame that refused the request, `invalid_response` when
   * the service answered the ping after the request without a sync. `callback`, if given, is
   * called with the members, later.
   *
   * @param callback - called with the members too, as in Ably's callback style; what it throws goes to `onListenerError` (console.error by default).
   * @example
   * ```ts
   * const members = await channel.presence.get();
   * ```
   */
  get(callback?: (members: RealtimeMember[]) => void): Promise<RealtimeMember[]>;
  /**
   * Called with the full member list whenever it changes.
   *
   * @param callback - gets the whole member array after every change (unlike Ably's per-member events).
   * @example
   * ```ts
   * channel.presence.subscribe((members) => (online.textContent = String(members.length)));
   * channel.presence.subscribe('enter', (member) => toast(`${member.clientId} joined`));
   * ```
   */
  subscribe(callback: (members: RealtimeMember[]) => void): void;
  /**
   * Called when a member enters, leaves or updates.
   *
   * @param action - `enter`, `leave` or `update`, or an array of them (as in Ably).
   */
  subscribe(action: PresenceAction | readonly PresenceAction[], callback: (member: RealtimeMember) => void): void;
  /**
   * Removes listeners: all, those of one action, or one callback.
   *
   * @param action - the action whose listeners to remove, or the one callback to remove; none: all.
   * @param callback - with `action`: only this callback of that action.
   * @example
   * ```ts
   * channel.presence.unsubscribe('enter');
   * channel.presence.unsubscribe(); // every presence listener
   * ```
   */
  unsubscribe(action?: PresenceAction | readonly PresenceAction[] | ((value: never) => void), callback?: (value: never) => void): void;
}

/** A `Pulse.Realtime` channel, typed by its event map. */
export interface RealtimeChannel<E extends { [K in keyof E]: object } = Record<string, JsonObject>> {
  /** The channel name. */
  readonly name: string;
  /**
   * Listens to one event (any name, `*` included).
   *
   * @param name - the event name, or an array of names (as in Ably).
   * @param callback - gets the message: `data` (with `type`), `name`, `timestamp`.
   * @example
   * ```ts
   * const posts = realtime.channels.get<{ new_post: { post: { id: number } } }>('posts');
   * posts.subscribe('new_post', (message) => render(message.data.post));
   * ```
   */
  subscribe<K extends keyof E & string>(name: K | readonly K[], callback: (message: RealtimeMessage<E[K] & { type: K }>) => void): void;
  /** Listens to every event (the only catch-all form). */
  subscribe(callback: (message: RealtimeMessage<{ [K in keyof E & string]: E[K] & { type: K } }[keyof E & string]>) => void): void;
  /**
   * Removes listeners: all, those of one event, or one callback.
   *
   * @param name - the event whose listeners to remove, or the one callback to remove; none: all.
   * @param callback - with `name`: only this callback of that event.
   * @example
   * ```ts
   * channel.unsubscribe('new_post');
   * channel.unsubscribe(); // every listener
   * ```
   */
  unsubscribe(name?: (keyof E & string) | readonly (keyof E & string)[] | ((message: never) => void), callback?: (message: never) => void): void;
  /**
   * Publishes event `name` with `data` (a JSON object; `data.type` becomes the event name).
   * Resolves when the service has the message: a pong to a ping sent after it confirms it (the
   * protocol has no publish acks; pongs come back in order). While (re)connecting it waits in the
   * queue; publishes not confirmed when the connection goes down are sent again first after the
   * reconnection. Delivery is at least once: if the frame reached the service but the pong was
   * lost, the resend duplicates it. Rejects (never throws) with `invalid_argument` or
   * `message_too_large` for data the service would refuse, `queue_full`, `not_connected`,
   * `timeout` when no connection came back within `connectionStateTtlMs`, the service's code
   * when it refused the publish, or `disconnected` after `close()`. An ignored promise never
   * causes an unhandled rejection.
   *
   * @param name - the event name.
   * @param data - a JSON object (or nothing); at most 32 KB once framed.
   * @example
   * ```ts
   * await channel.publish('new_post', { post: { id: 1 } });
   * ```
   */
  publish<K extends keyof E & string>(name: K, data?: E[K] | null): Promise<void>;
  /**
   * Drops every listener (message and presence), leaves presence and unsubscribes on the server.
   * Called by a listener, the message being delivered still reaches the listeners it was reaching.
   *
   * @example
   * ```ts
   * channel.detach();
   * ```
   */
  detach(): void;
  /** Presence of this channel. */
  readonly presence: RealtimePresence;
}

/**
 * What `connection.on` listens to: a state, or `'update'` (as in Ably): an error that leaves the
 * state as it is (a service error frame, a malformed frame), as a change with
 * `current === previous` and the error as `reason`. A failed token refresh or reconnect attempt
 * is the `reason` of the change to `disconnected` instead (an `'update'` only once `suspended`).
 */
export type ConnectionEvent = RealtimeState | 'update';

/** The `connection` object of `Pulse.Realtime`. */
export interface RealtimeConnection {
  /**
   * Current connection state, as in Ably: `initialized`, `connecting`, `connected`,
   * `disconnected` (lost, retrying), `suspended` (lost for over `connectionStateTtlMs`: held work
   * rejected, still retrying), `closing`, `closed`, `failed`.
   */
  readonly state: RealtimeState;
  /**
   * Listens to one state, to `'update'`, or (with the callback alone) to every change and update.
   * Every error reaches a catch-all listener exactly once, as `change.reason`:
   * `realtime.connection.on((change) => change.reason && show(change.reason))`.
   *
   * @param event - a state, `update`, an array of them (as in Ably), or the callback itself for every change.
   * @param callback - gets `{ previous, current, reason }`.
   * @example
   * ```ts
   * realtime.connection.on('connected', () => console.log('online'));
   * realtime.connection.on((change) => change.reason && show(change.reason));
   * ```
   */
  on(event: ConnectionEvent | readonly ConnectionEvent[] | ((change: StateChange<RealtimeState>) => void), callback?: (change: StateChange<RealtimeState>) => void): void;
  /**
   * As {@link RealtimeConnection.on}, for the first matching change only (as Ably's `once`).
   *
   * @param event - a state, `update`, an array of them, or the callback itself for the next change.
   * @param callback - gets `{ previous, current, reason }`, once.
   * @example
   * ```ts
   * realtime.connection.once('connected', () => console.log('first connected'));
   * ```
   */
  once(event: ConnectionEvent | readonly ConnectionEvent[] | ((change: StateChange<RealtimeState>) => void), callback: (change: StateChange<RealtimeState>) => void): void;
  /**
   * As {@link RealtimeConnection.on} with the callback alone, for the next change or update only.
   *
   * @param callback - gets `{ previous, current, reason }`, once.
   * @example
   * ```ts
   * realtime.connection.once((change) => console.log('now', change.current));
   * ```
   */
  once(callback: (change: StateChange<RealtimeState>) => void): void;
  /**
   * Without a callback, as Ably's: a promise of the next change to `event` (any change without
   * one). It rejects if the client is `closed`, `failed` or `suspended` first (with the reason,
   * or `disconnected` after `close()`), so it never waits for ever; ignored, it never crashes.
   *
   * @param event - a state, `update`, an array of them; none: the next change.
   * @example
   * ```ts
   * await realtime.connection.once('connected');
   * ```
   */
  once(event?: ConnectionEvent | readonly ConnectionEvent[]): Promise<StateChange<RealtimeState>>;
  /**
   * Connects (again): the same as `realtime.connect()`.
   *
   * @example
   * ```ts
   * realtime.connection.connect();
   * ```
   */
  connect(): void;
  /**
   * Closes the connection: the same as `realtime.close()`.
   *
   * @example
   * ```ts
   * realtime.connection.close();
   * ```
   */
  close(): void;
  /**
   * Removes listeners: all, those of one event, or one callback.
   *
   * @param event - the event whose listeners to remove, or the one callback to remove; none: all.
   * @param callback - with `event`: only this callback of that event.
   * @example
   * ```ts
   * realtime.connection.off(); // every listener
   * ```
   */
  off(event?: ConnectionEvent | readonly ConnectionEvent[] | ((change: StateChange<RealtimeState>) => void), callback?: (change: StateChange<RealtimeState>) => void): void;
}

/** The actions `presence.subscribe(action, cb)` hears. */
const PRESENCE_ACTIONS = ['enter', 'leave', 'update'] as const;
/** The states in which `connection.once(state)` without a callback stops waiting (see there). */
const ENDS: readonly RealtimeState[] = ['closed', 'failed', 'suspended'];
/** The events `connection.on(event, cb)` hears: every state, and `update`. */
const CONNECTION_EVENTS = [...Object.keys(TRANSITIONS), 'update'];

/** A listener of a face: its key (event, action or state), its callback, and its removal. */
type Registration = [key: unknown, callback: unknown, off: () => void];

/**
 * Adds `listen(key, callback)` to `list` (`key` is `fallback` when `event` is the callback itself;
 * an array of keys, as Ably takes, adds each); returns the list.
 */
const add = <K, C>(
  list: Registration[] | undefined,
  event: unknown,
  callback: unknown,
  listen: (key: K, callback: C) => () => void,
  fallback?: K,
  known?: readonly string[],
): Registration[] => {
  const [key, cb] = args<K, C>(event, callback, fallback);
  const keys = (Array.isArray(key) ? key : [key]) as K[];
  // Each key is checked before any is added: a refused call adds nothing.
  for (const one of keys) checkListener(one === fallback ? undefined : one, cb, known);
  // A new array of the exact size (`push` and spreads reserve room for more).
  return (list ?? []).concat(keys.map((one): Registration => [one, cb, listen(one, cb)]));
};

/**
 * Removes (and calls `off` of) the registrations `hit` picks. Returns what is left, or
 * `undefined` for none (an idle face keeps no list).
 */
const removeIf = (list: Registration[] | undefined, hit: (r: Registration) => boolean): Registration[] | undefined => {
  // A hit is taken off (`void`: left out of the list).
  const left = list?.filter((r) => !hit(r) || void r[2]());
  return left?.length ? left : undefined;
};

/** Removes the registrations of `key` and/or `callback`; all without arguments. */
const remove = (list: Registration[] | undefined, event?: unknown, callback?: unknown): Registration[] | undefined => {
  const [key, cb] = args(event, callback);
  return removeIf(list, (r) => (key === undefined || r[0] === key || (Array.isArray(key) && key.includes(r[0]))) && (cb === undefined || r[1] === cb));
};

const toMember = (m: PresenceMember, action: RealtimeMember['action'] = 'present'): RealtimeMember => ({
  clientId: m.userId,
  connectionId: m.connectionId,
  data: m.data,
  connectedAt: m.connectedAt,
  action,
});

/**
 * Channel `name` of the engine, for `Pulse.Realtime`: it names the channel and keeps the face's
 * listener registrations (the engine keeps the rest). Classes, with the methods on the prototype
 * and the registration sets made on first use, so a channel nobody listens to costs two small
 * objects and no closures.
 */
class Channel {
  readonly presence: Presence;

  constructor(
    private readonly _engine: Engine,
    readonly name: string,
  ) {
    this.presence = new Presence(_engine, name, this);
  }

  subscribe(event: unknown, callback?: unknown): void {
    // The catch-all is kept under ANY, a key no caller can pass.
    const subs = add(this._state()?._subs as Registration[] | undefined, event, callback, (type: string, cb: (message: RealtimeMessage) => void) =>
      this._engine._listen(this.name, 'm', type, (frame: MessageFrame) =>
        cb({ name: frame.data.type, data: frame.data, timestamp: frame.timestamp, channel: frame.channel }),
        this,
      ),
      ANY as never,
    );
    const state = this._state();
    if (state) state._subs = subs;
  }

  /** Each removal syncs the server subscription (engine._listen). */
  unsubscribe(event?: unknown, callback?: unknown): void {
    const state = this._state();
    if (state) state._subs = remove(state._subs as Registration[] | undefined, event, callback);
  }

  /** The engine's state of this channel while it is in use (it holds the registrations). */
  _state(): ChannelState | undefined {
    return this._engine._channel(this.name);
  }

  publish(event: string, data?: object | null): Promise<void> {
    return this._engine._publish(this.name, event, data);
  }

  detach(): void {
    this.unsubscribe();
    this.presence.unsubscribe();
    this._engine._release(this.name);
  }

  /** What `JSON.stringify` shows: the name. */
  toJSON(): { name: string } {
    return { name: this.name };
  }
}

/** The presence part of a {@link Channel}. */
class Presence {
  constructor(
    private readonly _engine: Engine,
    private readonly _name: string,
    private readonly _face: Channel,
  ) {}

  enter(data?: unknown): Promise<void> {
    return this._engine._enter(this._name, data, this._face);
  }

  update(data?: unknown): Promise<void> {
    return this._engine._enter(this._name, data, this._face);
  }

  leave(): Promise<void> {
    return this._engine._leave(this._name);
  }

  get(callback?: (members: RealtimeMember[]) => void): Promise<RealtimeMember[]> {
    const members = this._engine._get(this._name, this._face).then((list) => list.map((m) => toMember(m)));
    // The rejection is handled here (a callback is just not called; the error event has it);
    // what the callback throws goes where every listener's does.
    members.then(callback, () => {}).catch(this._engine._report);
    return members;
  }

  subscribe(action: unknown, callback?: unknown): void {
    const subs = add(this._face._state()?._psubs as Registration[] | undefined, action, callback, (type: string, cb: (value: unknown) => void) =>
      this._engine._listen(this._name, 'p', type, (value: PresenceMember | PresenceMember[]) => cb(Array.isArray(value) ? value.map((m) => toMember(m)) : toMember(value, type as PresenceAction)), this._face),
      'members',
      PRESENCE_ACTIONS,
    );
    const state = this._face._state();
    if (state) state._psubs = subs;
  }

  unsubscribe(action?: unknown, callback?: unknown): void {
    const state = this._face._state();
    if (state) state._psubs = remove(state._psubs as Registration[] | undefined, action, callback);
  }
}

const realtimeChannel = (engine: Engine, name: string): RealtimeChannel => new Channel(engine, name) as unknown as RealtimeChannel;

/** `realtime.connection`: the engine's state and listeners of state changes and updates. */
class Connection {
  private _listeners: Registration[] | undefined;

  constructor(private readonly _engine: Engine) {}

  get state(): RealtimeState {
    return this._engine._state;
  }

  on(event: unknown, callback?: unknown): void {
    this._add(event, callback);
  }

  /** Registers `callback` (kept as given, so `off(callback)` finds it); `once`: removed before its first call. */
  private _add(event: unknown, callback: unknown, once?: boolean): void {
    const engine = this._engine;
    const before = this._listeners?.length ?? 0;
    this._listeners = add(this._listeners, event, callback, (key: ConnectionEvent | undefined, cb: (change: StateChange<RealtimeState>) => void) => {
      const call = (change: StateChange<RealtimeState>): void => {
        // Every key of this call goes at once (Ably's once([a, b], cb) calls cb once), and only
        // they: an on() of the same callback is a registration of its own, as in Ably.
        if (once) this._listeners = removeIf(this._listeners, (r) => own.includes(r));
        cb(change);
      };
      // A state listener never matches 'update' (no state has that name). Ably's states stay as
      // they were when only the engine's `_retrying` changed: no change here.
      const offState = engine._on('state', (change) => change.current !== change.previous && (!key || change.current === key) && call(change));
      const offUpdate = engine._on('update', (reason) => (!key || key === 'update') && call({ current: engine._state, previous: engine._state, reason }));
      return () => {
        offState();
        offUpdate();
      };
    }, undefined, CONNECTION_EVENTS);
    // What this call added: `add` appends to the list.
    const own = this._listeners.slice(before);
  }

  off(event?: unknown, callback?: unknown): void {
    this._listeners = remove(this._listeners, event, callback);
  }

  once(event?: unknown, callback?: unknown): void | Promise<StateChange<RealtimeState>> {
    if (callback !== undefined || typeof event === 'function') return this._add(event, callback, true);
    // Ably's promise form (`await connection.once('connected')`). It has a deadline: a client
    // that is or becomes closed, failed or suspended first (held work is rejected then too)
    // rejects it, with the change's reason (already an `error` event) or `disconnected` after close().
    // Its rejection is no `error` event of its own: it is a wait for a state, not work that failed,
    // and the change that ends it is told already (one close() is one `error` event at most).
    const next = new Promise<StateChange<RealtimeState>>((resolve, reject) => {

      const done = (change: StateChange<RealtimeState>): void => {
        stop();
        resolve(change);
      };
      this._add(event, done, true);
      const now = this._engine._state;
      // An array is any of its events, as for the callback form.
      const awaited = (state: RealtimeState): boolean => (Array.isArray(event) ? event.includes(state) : state === event);
      if (ENDS.includes(now) && !awaited(now)) {
        this.off(done);
        throw now === 'suspended'
          ? new PulseError('timeout', 'the connection is suspended (no connection for connectionStateTtlMs): try again once connected')
          : new PulseError('not_connected', `the connection is ${now}: call connect() first`);
      }
      const stop = this._engine._on('state', (change) => {
        if (!ENDS.includes(change.current) || awaited(change.current)) return;
        stop();
        this.off(done);
        reject(change.reason ?? new PulseError('disconnected', `the connection was ${change.current} before ${event === undefined ? 'a change' : shownValue(event)}`));
      });
    });
    // One the caller ignores is no unhandled rejection.
    next.catch(() => {});
    return next;
  }

  connect(): void {
    this._engine._connect();
  }

  close(): void {
    this._engine._close();
  }
}

/** `realtime.channels`. */
class Channels {
  constructor(private readonly _engine: Engine) {}

  get<E extends { [K in keyof E]: object } = Record<string, JsonObject>>(name: string): RealtimeChannel<E> {
    return channelFace<RealtimeChannel<E>>(this._engine, name, realtimeChannel);
  }

  release(name: string): void {
    // The registrations go with it (the connect URL's channel keeps its state).
    const state = this._engine._channel(name);
    if (state) {
      remove(state._subs as Registration[] | undefined);
      remove(state._psubs as Registration[] | undefined);
      state._subs = state._psubs = undefined;
    }
    this._engine._release(name);
  }
}

/**
 * The Ably-style client of the tutorial.
 *
 * @example
 * ```ts
 * const realtime = new Pulse.Realtime({ kbId, token, endpoint, clientId: userId });
 * const channel = realtime.channels.get('posts');
 * channel.subscribe('new_post', (msg) => addPost(msg.data.post));
 * channel.presence.enter({ name: userId });
 * ```
 */
export class Realtime {
  /** The connection: state and state events. */
  readonly connection: RealtimeConnection;
  /** Channels by name. */
  readonly channels: {
    /** The channel `name`, typed by its event map (the same object while it is in use). */
    get<E extends { [K in keyof E]: object } = Record<string, JsonObject>>(name: string): RealtimeChannel<E>;
    /** Detaches channel `name` and forgets it (as Ably's `channels.release`). */
    release(name: string): void;
  };
  /** The `clientId` option. */
  readonly clientId: string | undefined;
  private readonly _engine: Engine;

  /** Checks the options (a bad one throws a `PulseError` that says how to fix it) and connects unless `autoConnect` is false. */
  constructor(options: RealtimeOptions) {
    const engine = (this._engine = newEngine(options));
    this.clientId = options.clientId;
    this.connection = new Connection(engine) as unknown as RealtimeConnection;
    this.channels = new Channels(engine);
  }

  /**
   * Listens to every failure, once each (connection errors, refusals, and every rejected publish or presence call).
   *
   * @param event - `error`.
   * @param callback - gets each `PulseError`: match on `code`.
   * @example
   * ```ts
   * realtime.on('error', (error) => console.warn(error.code, error.message));
   * ```
   */
  on(event: 'error', callback: (error: PulseError) => void): () => void {
    checkListener(event, callback, CLIENT_EVENTS);
    return this._engine._on(event, callback);
  }

  /**
   * Connects (again) after `close()`, a failure, or with `autoConnect: false`.
   *
   * @example
   * ```ts
   * const realtime = new Pulse.Realtime({ kbId, token, autoConnect: false });
   * realtime.connect();
   * ```
   */
  connect(): void {
    this._engine._connect();
  }

  /**
   * Closes the connection, stops reconnecting and rejects unconfirmed and queued publishes with `disconnected`.
   *
   * @example
   * ```ts
   * realtime.close();
   * ```
   */
  close(): void {
    this._engine._close();
  }
}
