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
/**
 * The handler map of every emitter until its first `on`: most emitters of a client never get a
 * handler (the presence of a channel used for messages only), and an empty `Map` costs about
 * 180 B. Never written: `on` replaces it first; `off` finds nothing in it; `clear()` is a no-op.
 */
const EMPTY = new Map<never, readonly AnyHandler[]>();

/** Where errors thrown by listeners go. */
export type ListenerErrorHandler = (error: unknown) => void;

/** The default {@link ListenerErrorHandler}. */
export const logListenerError: ListenerErrorHandler = (error) => console.error('[pulse] a listener threw:', error);

/**
 * Handlers by event type, with the methods on the prototype: a client holds several emitters
 * (the engine's, and two per channel in use), so none of them carries closures of its own.
 */
class HandlerMap<E extends Record<string, unknown>> {
  all: Map<keyof E | typeof ANY, readonly AnyHandler[]> = EMPTY;
  constructor(private readonly _report: ListenerErrorHandler) {}

  on(type: keyof E | typeof ANY, handler: AnyHandler): void {
    if (this.all === EMPTY) this.all = new Map();
    this.all.set(type, [...(this.all.get(type) ?? NONE), handler]);
  }

  off(type: keyof E | typeof ANY, handler: AnyHandler): void {
    const list = (this.all.get(type) ?? NONE).slice();
    const index = list.indexOf(handler);
    if (index < 0) return;
    list.splice(index, 1);
    if (list.length) this.all.set(type, list);
    else this.all.delete(type);
  }

  emit(type: keyof E, event: unknown): void {
    const all = this.all;
    const typed = all.get(type);
    // Both lists are taken before any handler runs (as node's EventEmitter does): what a handler
    // adds or removes takes effect from the next emit. When the type's own list is the only
    // entry there are no ANY handlers: the usual message, spared a second lookup (callgrind).
    const any = typed && all.size === 1 ? undefined : all.get(ANY);
    if (typed) for (const handler of typed) this._call(handler, event);
    if (any) for (const handler of any) this._call(handler, event, type);
  }

  /**
   * Calls one handler (with the type only for {@link ANY} handlers: a user's `on('error', fn)`
   * gets one argument); what it throws goes to the reporter (which never throws).
   */
  private _call(handler: AnyHandler, event: unknown, type?: keyof E): void {
    try {
      if (type === undefined) handler(event);
      else handler(event, type);
    } catch (error) {
      this._report(error);
    }
  }
}

/**
 * `report`, safe to call from anywhere: it is the last stop of what a listener throws, so what it
 * throws itself (an `onListenerError` that rethrows to fail fast) goes nowhere. Rethrown from an
 * emit it would break the emit; from a promise callback it would be an unhandled rejection.
 */
export const guardReporter =
  (report: ListenerErrorHandler): ListenerErrorHandler =>
  (error) => {
    try {
      report(error);
    } catch {
      // Nowhere further to report it.
    }
  };

/** console.error, guarded (a test setup may make console.error throw): shared by every client. */
const logSafely = guardReporter(logListenerError);

/**
 * A client's reporter: its `onListenerError` guarded, else {@link logSafely}. Made once per client
 * and shared by all its emitters: a guard per emitter cost about 360 B of heap a client (three
 * emitters; the bench's memory suite).
 */
export const reporterFor = (onListenerError: ListenerErrorHandler | undefined): ListenerErrorHandler =>
  onListenerError ? guardReporter(onListenerError) : logSafely;

/** A new emitter; errors thrown by its handlers go to `report`, which must not throw ({@link reporterFor}). */
export const createEmitter = <E extends Record<string, unknown>>(report: ListenerErrorHandler = logSafely): Emitter<E> =>
  new HandlerMap<E>(report) as unknown as Emitter<E>;
