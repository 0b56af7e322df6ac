/**
 * The small event emitter behind channels, presence and the engine (mitt's API, minus what we
 * do not use). Handler lists are replaced, never mutated, on `on`/`off`: `emit` iterates the
 * current list without copying it (no allocation per message), and a handler added or removed
 * during an emit takes effect from the next one.
 *
 * A handler that throws does not stop the others, nor the caller (the engine, in the middle of a
 * state change or a frame): its error is rethrown from a microtask, so it reaches the runtime's
 * uncaught-error reporting (the console, `window.onerror`, Node's `uncaughtException`) as an
 * error thrown by a DOM event listener would.
 * @module
 */

/** A handler of one event type. */
export type Handler<T = unknown> = (event: T) => void;

/**
 * An {@link ANY} handler: called for every event, with the event first and its type second
 * (unlike mitt), so one handler shape serves both one type and all types.
 */
export type WildcardHandler<E> = (event: E[keyof E], type: keyof E) => void;

/** The key of handlers of every event: a symbol, so that no event name (not even `*`) collides with it. */
export const ANY: unique symbol = Symbol();

/** Handlers by event type ({@link ANY} for all). */
export interface Emitter<E extends Record<string, unknown>> {
  /** Handler lists by type; a type without handlers has no entry. */
  readonly all: Map<keyof E | typeof ANY, readonly Handler<never>[]>;
  on<K extends keyof E>(type: K, handler: Handler<E[K]>): void;
  on(type: typeof ANY, handler: WildcardHandler<E>): void;
  /** Removes one registration of `handler` (the first). */
  off<K extends keyof E>(type: K, handler: Handler<E[K]>): void;
  off(type: typeof ANY, handler: WildcardHandler<E>): void;
  /** Calls the handlers of `type`, then the {@link ANY} handlers. */
  emit<K extends keyof E>(type: K, event: E[K]): void;
}

type AnyHandler = (...args: unknown[]) => void;
const NONE: readonly AnyHandler[] = [];

/** Rethrows `error` from a microtask: reported by the runtime, without stopping the emit. */
const report = (error: unknown): void =>
  queueMicrotask(() => {
    throw error;
  });

/** A new emitter. */
export function createEmitter<E extends Record<string, unknown>>(): Emitter<E> {
  const all = new Map<keyof E | typeof ANY, readonly AnyHandler[]>();
  return {
    all,
    on(type: keyof E | typeof ANY, handler: AnyHandler) {
      all.set(type, [...(all.get(type) ?? NONE), handler]);
    },
    off(type: keyof E | typeof ANY, handler: AnyHandler) {
      const list = (all.get(type) ?? NONE).slice();
      const index = list.indexOf(handler);
      if (index < 0) return;
      list.splice(index, 1);
      if (list.length) all.set(type, list);
      else all.delete(type);
    },
    emit(type: keyof E, event: unknown) {
      for (const handler of all.get(type) ?? NONE) {
        try {
          handler(event);
        } catch (error) {
          report(error);
        }
      }
      for (const handler of all.get(ANY) ?? NONE) {
        try {
          handler(event, type);
        } catch (error) {
          report(error);
        }
      }
    },
  } as Emitter<E>;
}
