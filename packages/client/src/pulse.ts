/**
 * `Pulse`: the seed's public face (`pulse.channel(name).subscribe(event, cb)`), a thin adapter
 * over the connection engine.
 * @module
 */
import type { JsonObject, MessageFrame, PresenceMember, PulseError } from '@openkbs-pulse/protocol';
import type { ChannelState } from './channel-state.js';
import { ANY } from './emitter.js';
import { createEngine, type Engine, type EngineOptions } from './engine.js';
import { Realtime } from './realtime.js';
import type { ConnectionState } from './states.js';

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

/** A message listener: the payload (with `type` = event name) and the raw frame. */
export type MessageListener<T> = (data: T, frame: MessageFrame) => void;

/** Presence of one channel. */
export interface PulsePresence {
  /** Called with the full member list whenever it changes. */
  subscribe(callback: (members: PresenceMember[]) => void): Unsubscribe;
  /** Called when a member enters. */
  onEnter(callback: (member: PresenceMember) => void): Unsubscribe;
  /** Called when a member leaves. */
  onLeave(callback: (member: PresenceMember) => void): Unsubscribe;
  /** Called when a member updates its data. */
  onUpdate(callback: (member: PresenceMember) => void): Unsubscribe;
  /** Enters the presence set (re-entered with the latest data after every reconnect). */
  enter(data?: unknown): Promise<void>;
  /** Replaces this connection's member data. */
  update(data?: unknown): Promise<void>;
  /** Leaves the presence set. */
  leave(): Promise<void>;
  /**
   * Known members (the service lists at most 100). Tracked while the channel has presence
   * listeners or this client is entered; empty otherwise and after `unsubscribe()`/`disconnect()`.
   */
  readonly members: PresenceMember[];
  /** Exact member count (tracked like `members`, else 0). */
  readonly count: number;
}

/** A channel of `Pulse`, typed by its event map. */
export interface PulseChannel<E extends EventMap<E> = DefaultEvents> {
  /** The channel name. */
  readonly name: string;
  /** Listens to one event (any name, `*` included). Returns a function that stops listening. */
  subscribe<K extends keyof E & string>(event: K, callback: MessageListener<E[K]>): Unsubscribe;
  /** Untyped channels: listens to one event with a payload type of your choice. */
  subscribe<T extends object>(event: string extends keyof E ? string : never, callback: MessageListener<T>): Unsubscribe;
  /** Listens to every event (the only catch-all form: `subscribe('*', cb)` listens to an event named `*`). */
  subscribe(callback: MessageListener<E[keyof E]>): Unsubscribe;
  /** Drops every listener, leaves presence and unsubscribes on the server. */
  unsubscribe(): void;
  /**
   * Publishes `event` with `data` (a JSON object; `data.type` becomes the event name).
   * Resolves when the service has the message: a pong to a ping sent after it confirms it (the
   * protocol has no publish acks; pongs come back in order). While (re)connecting it waits in the
   * queue; publishes not confirmed when the connection goes down are sent again first after the
   * reconnection. Delivery is at least once: if the frame reached the service but the pong was
   * lost, the resend duplicates it. Rejects with `invalid_argument`, `message_too_large`,
   * `queue_full`, `not_connected`, or the error that closed the client (`disconnected` after
   * `disconnect()`).
   */
  publish<K extends keyof E & string>(event: K, data?: E[K] | null): Promise<void>;
  /** Presence of this channel: members, their changes, and entering / leaving. */
  readonly presence: PulsePresence;
}

/** Wraps one engine channel for the `Pulse` face. */
function pulseChannel(engine: Engine, ch: ChannelState): PulseChannel<EventMap> {
  const presence = ch.presence;
  const on =
    (type: 'enter' | 'leave' | 'update' | 'members') =>
    (callback: (value: never) => void): Unsubscribe =>
      engine.listen(ch, presence.em, type, callback as never);
  return {
    name: ch.name,
    subscribe(event: string | MessageListener<object>, callback?: MessageListener<object>): Unsubscribe {
      const [type, cb] = typeof event === 'function' ? [ANY, event] : [event, callback!];
      return engine.listen(ch, ch.em, type as string, (frame: MessageFrame) => cb(frame.data, frame));
    },
    unsubscribe: () => engine.release(ch),
    publish: (event, data) => engine.publish(ch, event, data as JsonObject | null | undefined),
    presence: {
      subscribe: on('members'),
      onEnter: on('enter'),
      onLeave: on('leave'),
      onUpdate: on('update'),
      ...engine.presence(ch),
      get members() {
        return [...presence.byId.values()];
      },
      get count() {
        return presence.count;
      },
    },
  } as PulseChannel<EventMap>;
}

/**
 * The OpenKBS Elastic Pulse client.
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
  /** The Ably-style face: `new Pulse.Realtime({ kbId, token })`. */
  static Realtime: typeof Realtime = Realtime;
  private readonly engine: Engine;
  private readonly defaultChannel: string;

  constructor(options: PulseOptions) {
    this.defaultChannel = options.channel ?? 'default';
    this.engine = createEngine(options);
  }

  /** Current connection state. */
  get state(): ConnectionState {
    return this.engine.state;
  }

  /** Whether the connection is open. */
  get isConnected(): boolean {
    return this.engine.state === 'connected';
  }

  /** The channel `name` (the same object for the same name). Default: the `channel` option, else `'default'`. */
  channel<E extends EventMap<E> = DefaultEvents>(name: string = this.defaultChannel): PulseChannel<E> {
    const ch = this.engine.channel(name);
    return (ch.face ??= pulseChannel(this.engine, ch)) as PulseChannel<E>;
  }

  /** Calls `callback` with each new state. Returns a function that stops it. */
  onStateChange(callback: (state: ConnectionState) => void): Unsubscribe {
    return this.engine.on('state', (change) => callback(change.current));
  }

  /**
   * Listens to errors: service error frames, refused connections, one `network_error` per run of
   * failed connection attempts (browsers hide why), closes by the service with a reason
   * (`slow_consumer`, `connection_expired`), failed token refreshes.
   */
  on(event: 'error', callback: (error: PulseError) => void): Unsubscribe {
    return this.engine.on(event, callback);
  }

  /** Connects (again). */
  connect(): void {
    this.engine.connect();
  }

  /** Closes the connection, stops reconnecting and rejects unconfirmed and queued publishes with `disconnected`. */
  disconnect(): void {
    this.engine.close();
  }
}
