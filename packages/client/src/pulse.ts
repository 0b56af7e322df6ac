/**
 * `Pulse`: the seed's public face (`pulse.channel(name).subscribe(event, cb)`), a thin adapter
 * over the connection engine.
 * @module
 */
import type { JsonObject, MessageFrame, PresenceMember, PulseError } from '@openkbs-pulse/protocol';
import { ANY } from './emitter.js';
import type { Engine, EngineOptions } from './engine.js';
import { args, channelFace, checkListener, CLIENT_EVENTS, newEngine } from './face.js';
import { pulseState, type ConnectionState } from './states.js';

/** Options of `new Pulse(...)`. */
export type PulseOptions = EngineOptions;

/**
 * Event name → payload type of a channel. As a constraint, `E extends EventMap<E>` accepts type
 * literals and interfaces alike (an interface has no index signature, so `Record<string, object>`
 * would refuse it).
 */
export type EventMap<E = Record<string, object>> = { [K in keyof E]: object };

/** The default event map: every event name, each payload a JSON object. */
export type DefaultEvents = Record<string, JsonObject>;

/** Stops listening. */
export type Unsubscribe = () => void;

/** A payload as delivered: the published data with the event name as `type`. */
export type Delivered<T, K extends string = string> = T & {
  /** The event name (the service adds it to every payload). */
  type: K;
};

/** A message listener: the payload (with `type` = event name) and the raw frame. */
export type MessageListener<T, K extends string = string> = (data: Delivered<T, K>, frame: MessageFrame) => void;

/** The payload a catch-all listener gets: a union narrowed by `type`. */
export type AnyDelivered<E> = { [K in keyof E & string]: Delivered<E[K], K> }[keyof E & string];

/** Presence of one channel. */
export interface PulsePresence {
  /**
   * Called with the full member list whenever it changes.
   *
   * @param callback - gets every member after each change (sync, enter, update, leave).
   * @example
   * ```ts
   * const stop = chat.presence.subscribe((members) => (online.textContent = String(members.length)));
   * ```
   */
  subscribe(callback: (members: PresenceMember[]) => void): Unsubscribe;
  /**
   * Called when a member enters.
   *
   * @param callback - gets the member that entered.
   * @example
   * ```ts
   * chat.presence.onEnter((member) => toast(`${member.userId} joined`));
   * ```
   */
  onEnter(callback: (member: PresenceMember) => void): Unsubscribe;
  /**
   * Called when a member leaves.
   *
   * @param callback - gets the member that left.
   * @example
   * ```ts
   * chat.presence.onLeave((member) => toast(`${member.userId} left`));
   * ```
   */
  onLeave(callback: (member: PresenceMember) => void): Unsubscribe;
  /**
   * Called when a member updates its data.
   *
   * @param callback - gets the member with its new data.
   * @example
   * ```ts
   * chat.presence.onUpdate((member) => render(member.data));
   * ```
   */
  onUpdate(callback: (member: PresenceMember) => void): Unsubscribe;
  /**
   * Enters the presence set (re-entered with the latest data after every reconnect). Resolves
   * when the service has it; rejects with `invalid_argument`/`message_too_large` for data it
   * would refuse, `not_connected` when the client is not connecting, `timeout` when no connection
   * came back in time, `disconnected` after `disconnect()`.
   *
   * @param data - what other members see: a JSON value (a name, an avatar, a status).
   * @example
   * ```ts
   * await chat.presence.enter({ name: 'Ada' });
   * ```
   */
  enter(data?: unknown): Promise<void>;
  /**
   * Replaces this connection's member data (enters when not entered yet); settles like `enter`.
   *
   * @param data - the new member data.
   * @example
   * ```ts
   * await chat.presence.update({ name: 'Ada', status: 'away' });
   * ```
   */
  update(data?: unknown): Promise<void>;
  /**
   * Leaves the presence set; resolves at once when not entered or not connected (the service dropped the member with the connection),
   * unless a refusal left the service's membership in doubt: then a leave is sent and resolves with the service's answer.
   *
   * @example
   * ```ts
   * await chat.presence.leave();
   * ```
   */
  leave(): Promise<void>;
  /**
   * The members, once the service sent the full set (waits for it; rejects like `enter`, and
   * with `invalid_response` when the service answered the ping after the request without a sync).
   *
   * @example
   * ```ts
   * const members = await chat.presence.get();
   * ```
   */
  get(): Promise<PresenceMember[]>;
  /**
   * Known members (the service lists at most 100). Reading it on a subscribed channel starts
   * tracking presence, which lasts while the channel has message listeners; also tracked while it
   * has presence listeners or this client is entered; empty on a channel without listeners and
   * after `unsubscribe()`/`disconnect()`.
   */
  readonly members: PresenceMember[];
  /** Exact member count (tracked like `members`, else 0). */
  readonly count: number;
}

/** A channel of `Pulse`, typed by its event map. */
export interface PulseChannel<E extends EventMap<E> = DefaultEvents> {
  /** The channel name. */
  readonly name: string;
  /**
   * Listens to one event (any name, `*` included). Returns a function that stops listening.
   *
   * @param event - the event name.
   * @param callback - gets the data (with `type`, the event name) and the raw frame.
   * @example
   * ```ts
   * const chat = pulse.channel<{ message: { user: string; text: string } }>('chat');
   * const stop = chat.subscribe('message', (data) => console.log(data.user, data.text));
   * stop(); // stops this listener
   * ```
   */
  subscribe<K extends keyof E & string>(event: K, callback: MessageListener<E[K], K>): Unsubscribe;
  /** Untyped channels: listens to one event with a payload type of your choice. */
  subscribe<T extends object>(event: string extends keyof E ? string : never, callback: MessageListener<T>): Unsubscribe;
  /** Listens to every event (the only catch-all form: `subscribe('*', cb)` listens to an event named `*`); narrow on `data.type`. */
  subscribe(callback: (data: AnyDelivered<E>, frame: MessageFrame) => void): Unsubscribe;
  /**
   * Drops every listener, leaves presence and unsubscribes on the server; the client then forgets the channel.
   * Called by a listener, the message being delivered still reaches the listeners it was reaching.
   *
   * @example
   * ```ts
   * chat.unsubscribe();
   * ```
   */
  unsubscribe(): void;
  /**
   * Publishes `event` with `data` (a JSON object; `data.type` becomes the event name).
   * Resolves when the service has the message: a pong to a ping sent after it confirms it (the
   * protocol has no publish acks; pongs come back in order). While (re)connecting it waits in the
   * queue; publishes not confirmed when the connection goes down are sent again first after the
   * reconnection. Delivery is at least once: if the frame reached the service but the pong was
   * lost, the resend duplicates it. Rejects (never throws) with `invalid_argument` or
   * `message_too_large` for data the service would refuse, `queue_full`, `not_connected`,
   * `timeout` when no connection came back within `connectionStateTtlMs`, the service's code when
   * it refused the publish, or `disconnected` after `disconnect()`. Every rejection is also an
   * `error` event, and an ignored promise never causes an unhandled rejection, so
   * fire-and-forget calls are safe.
   *
   * @param event - the event name subscribers listen to.
   * @param data - a JSON object (or nothing); at most 32 KB once framed.
   * @example
   * ```ts
   * await chat.publish('message', { user: 'Ada', text: 'Hello!' }); // resolves when the service has it
   * ```
   */
  publish<K extends keyof E & string>(event: K, data?: E[K] | null): Promise<void>;
  /** Presence of this channel: members, their changes, and entering / leaving. */
  readonly presence: PulsePresence;
}

/**
 * Channel `name` of the engine, for the `Pulse` face: it only names the channel (the engine keeps
 * the state). Classes, with the methods on the prototype, so an app holding many channels pays
 * two small objects per channel and no closures.
 */
class Channel {
  readonly presence: PulsePresence;

  constructor(
    private readonly _engine: Engine,
    readonly name: string,
  ) {
    this.presence = new Presence(_engine, name, this) as unknown as PulsePresence;
  }

  subscribe(event: string | MessageListener<object>, callback?: MessageListener<object>): Unsubscribe {
    const [type, cb] = args<string, MessageListener<object>>(event, callback, ANY as never);
    checkListener((type as unknown) === ANY ? undefined : type, cb);
    return this._engine._listen(this.name, 'm', type, (frame: MessageFrame) => cb(frame.data, frame), this);
  }

  unsubscribe(): void {
    this._engine._release(this.name);
  }

  publish(event: string, data?: object | null): Promise<void> {
    return this._engine._publish(this.name, event, data);
  }

  /** What `JSON.stringify` shows: the name and the presence known now (reading it starts nothing). */
  toJSON(): { name: string; presence: { members: PresenceMember[]; count: number } } {
    return { name: this.name, presence: this._engine._members(this.name, true) };
  }
}

/** The presence part of a {@link Channel}. */
class Presence {
  constructor(
    private readonly _engine: Engine,
    private readonly _name: string,
    private readonly _face: Channel,
  ) {}

  private _on(type: 'enter' | 'leave' | 'update' | 'members', callback: (value: never) => void): Unsubscribe {
    checkListener(undefined, callback);
    return this._engine._listen(this._name, 'p', type, callback, this._face);
  }

  subscribe(callback: (members: PresenceMember[]) => void): Unsubscribe {
    return this._on('members', callback);
  }

  onEnter(callback: (member: PresenceMember) => void): Unsubscribe {
    return this._on('enter', callback);
  }

  onLeave(callback: (member: PresenceMember) => void): Unsubscribe {
    return this._on('leave', callback);
  }

  onUpdate(callback: (member: PresenceMember) => void): Unsubscribe {
    return this._on('update', callback);
  }

  enter(data?: unknown): Promise<void> {
    return this._engine._enter(this._name, data, this._face);
  }

  update(data?: unknown): Promise<void> {
    return this._engine._enter(this._name, data, this._face);
  }

  leave(): Promise<void> {
    return this._engine._leave(this._name);
  }

  get(): Promise<PresenceMember[]> {
    return this._engine._get(this._name, this._face);
  }

  get members(): PresenceMember[] {
    return this._engine._members(this._name).members;
  }

  get count(): number {
    return this._engine._members(this._name).count;
  }
}

const pulseChannel = (engine: Engine, name: string): Channel => new Channel(engine, name);

/**
 * The OpenKBS Elastic Pulse client (`Pulse.Realtime` is attached by the package entry).
 *
 * @example
 * ```ts
 * const pulse = new Pulse({ kbId, token });
 * const chat = pulse.channel<{ message: { text: string } }>('chat');
 * chat.subscribe('message', (data) => console.log(data.text));
 * await chat.publish('message', { text: 'hi' });
 * ```
 */
export class Pulse {
  private readonly _engine: Engine;
  private readonly _defaultChannel: string;

  /** Checks the options (a bad one throws a `PulseError` that says how to fix it) and connects unless `autoConnect` is false. */
  constructor(options: PulseOptions) {
    this._engine = newEngine(options);
    this._defaultChannel = options.channel ?? 'default';
  }

  /** Current connection state (the seed's five names). */
  get state(): ConnectionState {
    return pulseState(this._engine._state, this._engine._retrying);
  }

  /** Whether the connection is open. */
  get isConnected(): boolean {
    return this._engine._state === 'connected';
  }

  /**
   * The channel `name` (the same object while the channel is in use). Default: the `channel`
   * option, else `'default'`. A channel with no listeners and no presence is not kept by the
   * client: getting it costs nothing until you subscribe.
   *
   * @param name - the channel name (1 to 256 characters).
   * @example
   * ```ts
   * const chat = pulse.channel<{ message: { text: string } }>('chat');
   * chat.subscribe('message', (data) => console.log(data.text));
   * ```
   */
  channel<E extends EventMap<E> = DefaultEvents>(name: string = this._defaultChannel): PulseChannel<E> {
    return channelFace<PulseChannel<E>>(this._engine, name, pulseChannel);
  }

  /**
   * Calls `callback` with each new state. Returns a function that stops it.
   *
   * @param callback - gets each new state: `connecting`, `connected`, `reconnecting`, `disconnected`, `failed`.
   * @example
   * ```ts
   * pulse.onStateChange((state) => (banner.textContent = state === 'connected' ? '' : state));
   * ```
   */
  onStateChange(callback: (state: ConnectionState) => void): Unsubscribe {
    checkListener(undefined, callback);
    let last = this.state;
    return this._engine._on('state', () => {
      const now = this.state;
      if (now !== last) callback((last = now));
    });
  }

  /**
   * Listens to every failure, once each: service error frames, refused connections, one
   * `network_error` per run of failed connection attempts, closes by the service with a reason
   * (`slow_consumer`, `connection_expired`), failed token refreshes, and every rejected publish
   * or presence call (so fire-and-forget code can see them).
   *
   * @param event - `error`.
   * @param callback - gets each `PulseError`: match on `code`; `docsUrl` explains it.
   * @example
   * ```ts
   * pulse.on('error', (error) => console.warn(error.code, error.message));
   * ```
   */
  on(event: 'error', callback: (error: PulseError) => void): Unsubscribe {
    checkListener(event, callback, CLIENT_EVENTS);
    return this._engine._on(event, callback);
  }

  /**
   * Connects (again): after `disconnect()`, a failure, or with `autoConnect: false`; retries at once while reconnecting.
   *
   * @example
   * ```ts
   * const pulse = new Pulse({ kbId, token, autoConnect: false });
   * pulse.connect();
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
   * pulse.disconnect(); // connect() opens it again
   * ```
   */
  disconnect(): void {
    this._engine._close();
  }
}
