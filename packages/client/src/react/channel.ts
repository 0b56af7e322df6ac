/**
 * Channel hooks: listening (`useChannel`, `useChannelEvents`) and publishing (`usePublish`),
 * typed by the channel's event map like `pulse.channel<E>()`.
 * @module
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { channelNameProblem, eventNameProblem, shownValue } from '@openkbs-pulse/protocol';
import { PulseError, type DefaultEvents, type EventMap, type MessageListener, type Pulse } from 'openkbs-pulse';
import type { PulseHub } from './hub.js';
import { useHub } from './provider.js';

declare const EVENTS: unique symbol;

/**
 * A channel name that carries its event map, made by {@link defineChannel}. Hooks given one infer
 * payload types from it and refuse unknown event names; a plain string is an untyped channel.
 */
export type ChannelName<E extends EventMap<E> = DefaultEvents> = string & {
  /** Type only (never set): the channel's event map. */
  readonly [EVENTS]?: E;
};

/**
 * Names a typed channel once, for every hook (and `pulse.channel(name)`) to use.
 *
 * @example
 * ```ts
 * const chat = defineChannel<{ message: { user: string; text: string } }>('chat');
 * useChannel(chat, 'message', (data) => console.log(data.text)); // data: { user: string; text: string }
 * ```
 * @param name - The channel name (the protocol's rules; an invalid one throws `invalid_argument`).
 */
export function defineChannel<E extends EventMap<E>>(name: string): ChannelName<E> {
  checkChannel('defineChannel', name);
  return name as ChannelName<E>;
}

/** Throws the protocol's own rule as a `PulseError`, during render (also on the server). */
export function checkChannel(hook: string, name: unknown): void {
  const problem = channelNameProblem(name);
  if (problem) throw new PulseError('invalid_argument', `${hook}: ${problem}`);
}

function checkEvent(hook: string, event: unknown): void {
  const problem = eventNameProblem(event);
  if (problem) throw new PulseError('invalid_argument', `${hook}: ${problem}`);
}

const noClient = (): undefined => undefined;

/** The provider's client: `undefined` on the server, during hydration and until the provider mounted. */
export function useClient(hub: PulseHub): Pulse | undefined {
  return useSyncExternalStore(hub.subscribe, hub.getClient, noClient);
}

// Layout effects do not run on the server, where React 18 warns about them; nothing needs them there.
const useBrowserLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/** A ref holding the latest `value` (updated before any passive effect reads it). */
function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useBrowserLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}

/**
 * Calls `handler` with every `event` message of `channel` while the component is mounted. The
 * latest handler is called: a new function on each render does not resubscribe.
 *
 * @example
 * ```tsx
 * function Notifications() {
 *   const [last, setLast] = useState('');
 *   useChannel(chat, 'message', (data) => setLast(data.text));
 *   return <p>{last}</p>;
 * }
 * ```
 * @param channel - A channel name, or a typed one from {@link defineChannel}.
 * @param event - The event name (checked during render).
 * @param handler - Called with the payload and the raw frame; the latest one given is called.
 */
export function useChannel<E extends EventMap<E> = DefaultEvents, K extends keyof E & string = keyof E & string>(
  channel: ChannelName<E>,
  event: K,
  handler: MessageListener<E[K]>,
): void;
/**
 * Calls `handler` with every message of `channel`, whatever its event.
 * @param channel - A channel name, or a typed one from {@link defineChannel}.
 * @param handler - Called with the payload and the raw frame; the latest one given is called.
 */
export function useChannel<E extends EventMap<E> = DefaultEvents>(channel: ChannelName<E>, handler: MessageListener<E[keyof E]>): void;
export function useChannel(
  channel: string,
  eventOrHandler: string | MessageListener<object>,
  maybeHandler?: MessageListener<object>,
): void {
  const [event, handler] = typeof eventOrHandler === 'function' ? [undefined, eventOrHandler] : [eventOrHandler, maybeHandler];
  const hub = useHub('useChannel');
  checkChannel('useChannel', channel);
  if (event !== undefined) checkEvent('useChannel', event);
  if (typeof handler !== 'function') {
    throw new PulseError('invalid_argument', 'useChannel: the handler must be a function: useChannel(channel, event, (data) => ...)');
  }
  const client = useClient(hub);
  const latest = useLatest(handler);
  useEffect(() => {
    if (!client) return;
    // The payload as the client delivers it (its type is the client's own business: MessageListener's).
    return hub.listen(client, channel, event, (data, frame) => latest.current(data as never, frame));
  }, [hub, client, channel, event, latest]);
}

/** Options of {@link useChannelEvents}. */
export interface ChannelEventsOptions {
  /**
   * How many of the latest messages to keep (a positive integer).
   * @default 50
   */
  limit?: number;
}

/**
 * The latest messages of `event` on `channel` (oldest first), received while mounted. Pulse keeps
 * no history: it starts empty, and again when `channel` or `event` changes.
 *
 * @example
 * ```tsx
 * const messages = useChannelEvents(chat, 'message', { limit: 20 });
 * return <ul>{messages.map((m, i) => <li key={i}>{m.user}: {m.text}</li>)}</ul>;
 * ```
 * @param channel - A channel name, or a typed one from {@link defineChannel}.
 * @param event - The event name (checked during render).
 * @param options - `limit`: how many messages to keep (default 50).
 */
export function useChannelEvents<E extends EventMap<E> = DefaultEvents, K extends keyof E & string = keyof E & string>(
  channel: ChannelName<E>,
  event: K,
  options?: ChannelEventsOptions,
): readonly E[K][];
export function useChannelEvents(channel: string, event: string, options: ChannelEventsOptions = {}): readonly object[] {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new PulseError('invalid_argument', `useChannelEvents: limit must be a positive integer, got ${shownValue(limit)}`);
  }
  const key = `${channel}\n${event}`;
  const [kept, setKept] = useState<{ key: string; list: readonly object[] }>({ key, list: EMPTY });
  useChannel(channel, event, (data) => {
    setKept((prev) => {
      const list = prev.key === key ? prev.list : EMPTY;
      return { key, list: [...list.slice(Math.max(0, list.length + 1 - limit)), data] };
    });
  });
  const list = kept.key === key ? kept.list : EMPTY;
  // A smaller limit applies now, not at the next message (which trims what is kept); memoised so
  // that the list keeps its identity between renders.
  return useMemo(() => (list.length > limit ? list.slice(-limit) : list), [list, limit]);
}

const EMPTY: readonly object[] = Object.freeze([]);

/** A publish function of a channel, typed by its event map. */
export type Publish<E extends EventMap<E> = DefaultEvents> = <K extends keyof E & string>(event: K, data?: E[K] | null) => Promise<void>;

/**
 * A stable function publishing on `channel` (the same function across renders). Before the client
 * exists (the first token is still being fetched) the publish waits for it, and is rejected with
 * `disconnected` if the provider unmounts first. On the server, outside a mounted provider, or
 * once the provider is `failed`, it rejects with `not_connected` saying which (the provider's error
 * is its `cause`). Otherwise it is `channel.publish`.
 *
 * @example
 * ```tsx
 * const publish = usePublish(chat);
 * <button onClick={() => publish('message', { user, text }).catch(console.error)}>Send</button>
 * ```
 * @param channel - A channel name, or a typed one from {@link defineChannel}.
 */
export function usePublish<E extends EventMap<E> = DefaultEvents>(channel: ChannelName<E>): Publish<E> {
  const hub = useHub('usePublish');
  checkChannel('usePublish', channel);
  return useCallback<Publish<E>>(
    (event, data) => {
      const done = hub.clientForCall('usePublish').then((client) => client.channel<E>(channel).publish(event, data));
      // Fire-and-forget (`onClick={() => publish(...)}`) must not be an unhandled rejection: the
      // client's own promise is handled, this one derived from it is not (the failure is the
      // client's `error` event, and useConnectionError's).
      done.catch(() => {});
      return done;
    },
    [hub, channel],
  );
}
