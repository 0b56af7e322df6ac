/**
 * What both public faces (`Pulse`, `Pulse.Realtime`) share: making the engine, finding a
 * channel's face object, and telling `(callback)` from `(event, callback)` arguments. The faces
 * do not import each other; both import this.
 * @module
 */
import { eventNameProblem, PulseError, shownValue } from '@openkbs-pulse/protocol';
import { checkChannelName } from './channel-state.js';
import { createEngine, type Engine, type EngineOptions } from './engine.js';
import { createSharedEngine } from './share.js';

/** The engine for `options` (shared between tabs when `shareConnection` asks for it). */
export const newEngine = (options: EngineOptions): Engine =>
  options.shareConnection ? createSharedEngine(options, createEngine) : createEngine(options);

/** `[event, callback]`, or `[fallback, event]` when `event` is the callback itself. */
export const args = <K, C>(event: unknown, callback: unknown, fallback?: K): [K, C] =>
  (typeof event === 'function' ? [fallback, event] : [event, callback]) as [K, C];

/**
 * Throws `invalid_argument` unless `callback` is a function and `key` is an event it can hear:
 * one of `known`, else a valid event name (`undefined`: every event). Such a listener could never
 * be called (or would throw a TypeError per message), so it is refused at once.
 */
export const checkListener = (key: unknown, callback: unknown, known?: readonly string[]): void => {
  const problem =
    typeof callback !== 'function'
      ? `the callback must be a function (got ${typeof callback})`
      : key === undefined
        ? undefined
        : known
          ? !known.includes(key as string) && `unknown event ${shownValue(key)}: use one of ${known.join(', ')}`
          : eventNameProblem(key);
  if (problem) throw new PulseError('invalid_argument', problem);
};

/** What `pulse.on(event, cb)` / `realtime.on(event, cb)` hear. */
export const CLIENT_EVENTS: readonly string[] = ['error'];

/**
 * The face object of channel `name`: the one the engine keeps while the channel is in use, else
 * a new one, once the name is checked (a bad name throws `invalid_argument` here rather than at
 * the first subscribe).
 */
export const channelFace = <T>(engine: Engine, name: string, make: (engine: Engine, name: string) => unknown): T => {
  const ch = engine._channel(name);
  return (ch ? (ch._face ??= make(engine, name)) : make(engine, checkChannelName(name))) as T;
};
