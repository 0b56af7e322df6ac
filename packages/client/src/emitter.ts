/**
 * The small event emitter behind channels, presence and the engine (mitt's API, minus what we
 * do not use). Handler lists are replaced, never mutated, on `on`/`off`: `emit` iterates the
 * current list without copying it (no allocation per message), and a handler added or removed
 * during an emit takes effect from the next one.
 * @module
 */

/** A handler of one event type. */
export type Handler<T = unknown> = (event: T) => void;

/**
 * A `*` handler: called for every event, with the event first and its type second (unlike mitt),
 * so one handler shape serves both one type and all types.
 */
export type WildcardHandler<E> = (event: E[keyof E], type: keyof E) => void;

/** Handlers by event type (`*` for all). */
export interface Emitter<E extends Record<string, unknown>> {
  /** Handler lists by type; a type without handlers has no entry. */
  readonly all: Map<keyof E | '*', readonly Handler<never>[]>;
  on<K extends keyof E>(type: K, handler: Handler<E[K]>): void;
  on(type: '*', handler: WildcardHandler<E>): void;
  /** Removes one registration of `handler` (the first). */
  off<K extends keyof E>(type: K, handler: Handler<E[K]>): void;
  off(type: '*', handler: WildcardHandler<E>): void;
  /** Calls the handlers of `type`, then the `*` handlers. */
  emit<K extends keyof E>(type: K, event: E[K]): void;
}

type AnyHandler = (...args: unknown[]) => void;
const NONE: readonly AnyHandler[] = [];

/** A new emitter. */
export function createEmitter<E extends Record<string, unknown>>(): Emitter<E> {
  const all = new Map<keyof E | '*', readonly AnyHandler[]>();
  return {
    all,
    on(type: keyof E | '*', handler: AnyHandler) {
      all.set(type, [...(all.get(type) ?? NONE), handler]);
    },
    off(type: keyof E | '*', handler: AnyHandler) {
      const list = (all.get(type) ?? NONE).slice();
      const index = list.indexOf(handler);
      if (index < 0) return;
      list.splice(index, 1);
      if (list.length) all.set(type, list);
      else all.delete(type);
    },
    emit(type: keyof E, event: unknown) {
      for (const handler of all.get(type) ?? NONE) handler(event);
      for (const handler of all.get('*') ?? NONE) handler(event, type);
    },
  } as Emitter<E>;
}
