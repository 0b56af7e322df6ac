/**
 * The small event emitter behind channels, presence and the engine (mitt's API, minus what we
 * do not use). Handler lists are replaced, never mutated, on `on`/`off`: `emit` iterates the
 * current list without copying it (no allocation per message), and a handler added or removed
 * during an emit takes effect from the next one.
 *
 * A handler that throws does not stop the others, nor the caller (the engine, in the middle of a
 * state change or a frame): its error goes to the emitter's `report` (the client's
 * `onListenerError` option, `console.error` by default). It is never rethrown: in Node an
 * uncaught exception would end the process for a bug in one listener.
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

/** Where errors thrown by listeners go. */
export type ListenerErrorHandler = (error: unknown) => void;

/** The default {@link ListenerErrorHandler}. */
export const logListenerError: ListenerErrorHandler = (error) => console.error('[pulse] a listener threw:', error);

/** A new emitter; errors thrown by its handlers go to `report`. */
export function createEmitter<E extends Record<string, unknown>>(report: ListenerErrorHandler = logListenerError): Emitter<E> {
  const guard = (error: unknown): void => {
    try {
      report(error);
    } catch {
      // A reporter that throws must not break the emit either.
    }
  };
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
          guard(error);
        }
      }
      for (const handler of all.get(ANY) ?? NONE) {
        try {
          handler(event, type);
        } catch (error) {
          guard(error);
        }
      }
    },
  } as Emitter<E>;
}
