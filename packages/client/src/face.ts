/**
 * What both public faces (`Pulse`, `Pulse.Realtime`) share: making the engine, finding a
 * channel's face object, and telling `(callback)` from `(event, callback)` arguments. The faces
 * do not import each other; both import this.
 * @module
 */
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
 * The face object of channel `name`: the one the engine keeps while the channel is in use, else
 * a new one, once the name is checked (a bad name throws `invalid_argument` here rather than at
 * the first subscribe).
 */
export const channelFace = <T>(engine: Engine, name: string, make: (engine: Engine, name: string) => unknown): T => {
  const ch = engine._channel(name);
  return (ch ? (ch._face ??= make(engine, name)) : make(engine, checkChannelName(name))) as T;
};
