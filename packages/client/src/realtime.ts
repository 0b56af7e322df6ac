/**
 * `Pulse.Realtime`: the Ably-style face of the tutorial (`realtime.channels.get(name)`,
 * `channel.subscribe(name, cb(message))`, `channel.presence.get(cb)`), a thin adapter over the
 * same connection engine as `Pulse`.
 * @module
 */
import type { JsonObject, MessageFrame, PresenceMember, PulseError } from '@openkbs-pulse/protocol';
import type { ChannelState } from './channel-state.js';
import { ANY } from './emitter.js';
import { createEngine, type Engine, type EngineOptions, type StateChange } from './engine.js';
import type { ConnectionState } from './states.js';

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
}

/** Presence change actions. */
export type PresenceAction = 'enter' | 'leave' | 'update';

/** Presence of a `Pulse.Realtime` channel. */
export interface RealtimePresence {
  /** Enters the presence set (re-entered with the latest data after every reconnect). */
  enter(data?: unknown): Promise<void>;
  /** Replaces this connection's member data (enters when not entered yet). */
  update(data?: unknown): Promise<void>;
  /** Leaves the presence set. */
  leave(): Promise<void>;
  /**
   * The current members (waits for the first sync when none arrived yet). Rejects with
   * `disconnected` when the channel is detached or the client closed before then (with the
   * error of a `failed` connection). `callback`, if given, is called with the members, later.
   */
  get(callback?: (members: RealtimeMember[]) => void): Promise<RealtimeMember[]>;
  /** Called with the full member list whenever it changes. */
  subscribe(callback: (members: RealtimeMember[]) => void): void;
  /** Called when a member enters, leaves or updates. */
  subscribe(action: PresenceAction, callback: (member: RealtimeMember) => void): void;
  /** Removes listeners: all, those of one action, or one callback. */
  unsubscribe(action?: PresenceAction | ((value: never) => void), callback?: (value: never) => void): void;
}

/** A `Pulse.Realtime` channel, typed by its event map. */
export interface RealtimeChannel<E extends { [K in keyof E]: object } = Record<string, JsonObject>> {
  /** The channel name. */
  readonly name: string;
  /** Listens to one event (any name, `*` included). */
  subscribe<K extends keyof E & string>(name: K, callback: (message: RealtimeMessage<E[K]>) => void): void;
  /** Listens to every event (the only catch-all form). */
  subscribe(callback: (message: RealtimeMessage<E[keyof E]>) => void): void;
  /** Removes listeners: all, those of one event, or one callback. */
  unsubscribe(name?: (keyof E & string) | ((message: never) => void), callback?: (message: never) => void): void;
  /**
   * Publishes event `name` with `data` (a JSON object; `data.type` becomes the event name).
   * Resolves when the service has the message: a pong to a ping sent after it confirms it (the
   * protocol has no publish acks; pongs come back in order). While (re)connecting it waits in the
   * queue; publishes not confirmed when the connection goes down are sent again first after the
   * reconnection. Delivery is at least once: if the frame reached the service but the pong was
   * lost, the resend duplicates it. Rejects with `invalid_argument`, `message_too_large`,
   * `queue_full`, `not_connected`, or the error that closed the client (`disconnected` after
   * `close()`).
   */
  publish<K extends keyof E & string>(name: K, data?: E[K] | null): Promise<void>;
  /** Drops every listener (message and presence), leaves presence and unsubscribes on the server. */
  detach(): void;
  /** Presence of this channel. */
  readonly presence: RealtimePresence;
}

/**
 * What `connection.on` listens to: a state, or `'update'` (as in Ably): an error that leaves the
 * state as it is (a service error frame, a failed token refresh, a failed reconnect attempt while
 * reconnecting), as a change with `current === previous` and the error as `reason`.
 */
export type ConnectionEvent = ConnectionState | 'update';

/** The `connection` object of `Pulse.Realtime`. */
export interface RealtimeConnection {
  /** Current connection state. */
  readonly state: ConnectionState;
  /**
   * Listens to one state, to `'update'`, or (with the callback alone) to every change and update.
   * Every error reaches a catch-all listener exactly once, as `change.reason`:
   * `realtime.connection.on((change) => change.reason && show(change.reason))`.
   */
  on(event: ConnectionEvent | ((change: StateChange) => void), callback?: (change: StateChange) => void): void;
  /** Removes listeners: all, those of one event, or one callback. */
  off(event?: ConnectionEvent | ((change: StateChange) => void), callback?: (change: StateChange) => void): void;
}

type Key = string | undefined;
interface Registration {
  key: Key;
  callback: unknown;
  off: () => void;
}

/** Registrations that can be removed by key, callback, or all at once. */
function registry() {
  let list: Registration[] = [];
  return {
    add(key: Key, callback: unknown, off: () => void): void {
      list.push({ key, callback, off });
    },
    /** Removes (and calls `off` of) the registrations of `key` and/or `callback`; all without arguments. */
    remove(key?: unknown, callback?: unknown): void {
      if (typeof key === 'function') [key, callback] = [undefined, key];
      list = list.filter((r) => {
        const hit = (key === undefined || r.key === key) && (callback === undefined || r.callback === callback);
        if (hit) r.off();
        return !hit;
      });
    },
  };
}

const toMember = (m: PresenceMember): RealtimeMember => ({
  clientId: m.userId,
  connectionId: m.connectionId,
  data: m.data,
  connectedAt: m.connectedAt,
});
const toMembers = (members: Iterable<PresenceMember>): RealtimeMember[] => [...members].map(toMember);

function realtimeChannel(engine: Engine, ch: ChannelState): RealtimeChannel {
  const subs = registry();
  const presenceSubs = registry();
  const { em } = ch;
  const pem = ch.presence.em;
  return {
    name: ch.name,
    subscribe(name: string | ((message: RealtimeMessage) => void), callback?: (message: RealtimeMessage) => void) {
      const [event, cb] = typeof name === 'function' ? [undefined, name] : [name, callback!];
      const off = engine.listen(ch, em, (event ?? ANY) as string, (frame: MessageFrame) =>
        cb({ name: frame.data.type, data: frame.data, timestamp: frame.timestamp, channel: frame.channel }),
      );
      subs.add(event, cb, off);
    },
    // Each removal syncs the server subscription (engine.listen).
    unsubscribe: (name?: unknown, callback?: unknown) => subs.remove(name, callback),
    publish: (name, data) => engine.publish(ch, name, data),
    detach() {
      subs.remove();
      presenceSubs.remove();
      engine.release(ch);
    },
    presence: {
      ...engine.presence(ch),
      get(callback) {
        const { presence } = ch;
        const members: Promise<RealtimeMember[]> = presence.synced
          ? Promise.resolve(toMembers(presence.byId.values()))
          : new Promise((resolve, reject) => {
              // Waits for the full set (a sync: the first event once synced); a detach, close or failure rejects.
              const off = engine.listen(ch, pem, ANY, (value, type) => {
                if (type === 'gone') reject(value);
                else if (presence.synced) resolve(toMembers(presence.byId.values()));
                else return;
                off();
              });
            });
        // With a callback the rejection is handled here (the callback is just not called).
        if (callback) members.then(callback, () => {});
        return members;
      },
      subscribe(action: PresenceAction | ((members: RealtimeMember[]) => void), callback?: (member: RealtimeMember) => void) {
        const [type, cb] = typeof action === 'function' ? (['members', action] as const) : [action, callback!];
        const off = engine.listen(ch, pem, type, (value: PresenceMember | PresenceMember[]) =>
          (cb as (value: unknown) => void)(Array.isArray(value) ? toMembers(value) : toMember(value)),
        );
        presenceSubs.add(type, cb, off);
      },
      unsubscribe(action?: unknown, callback?: unknown) {
        presenceSubs.remove(action, callback);
      },
    },
  } as RealtimeChannel;
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
  /** Channels by name (the same object for the same name). */
  readonly channels: {
    /** The channel `name`, typed by its event map (the same object for the same name). */
    get<E extends { [K in keyof E]: object } = Record<string, JsonObject>>(name: string): RealtimeChannel<E>;
  };
  /** The `clientId` option. */
  readonly clientId: string | undefined;
  private readonly engine: Engine;

  constructor(options: RealtimeOptions) {
    const engine = (this.engine = createEngine(options));
    this.clientId = options.clientId;
    const listeners = registry();
    // The reason of the last state change: its error event is not reported again as an update.
    let changed: PulseError | undefined;
    engine.on('state', (change) => (changed = change.reason));
    this.connection = {
      get state() {
        return engine.state;
      },
      on(event, callback) {
        const [key, cb] = typeof event === 'function' ? [undefined, event] : [event, callback!];
        // A state listener never matches 'update' (no state has that name).
        const offs = [
          engine.on('state', (change) => (!key || change.current === key) && cb(change)),
          engine.on('error', (reason) => (!key || key === 'update') && reason !== changed && cb({ current: engine.state, previous: engine.state, reason })),
        ];
        listeners.add(key, cb, () => offs.map((off) => off()));
      },
      off: (event, callback) => listeners.remove(event, callback),
    };
    this.channels = {
      get<E extends { [K in keyof E]: object }>(name: string): RealtimeChannel<E> {
        const ch = engine.channel(name);
        return (ch.face ??= realtimeChannel(engine, ch)) as RealtimeChannel<E>;
      },
    };
  }

  /** Connects (again) after `close()` or with `autoConnect: false`. */
  connect(): void {
    this.engine.connect();
  }

  /** Closes the connection, stops reconnecting and rejects unconfirmed and queued publishes with `disconnected`. */
  close(): void {
    this.engine.close();
  }
}
