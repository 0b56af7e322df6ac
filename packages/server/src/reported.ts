/**
 * The promises the SDK returns. Project contract: a promise a caller ignores never crashes the
 * process, and its failure is still reported. Node ends a process on an unhandled rejection by
 * default, so each returned promise has a handler of the SDK's attached; the failure goes to the
 * client's `onError`, or, without one, to one `console.error` line when nobody handled it.
 * @module
 */
import { isPulseError, messageText, shownValue, type PulseError } from '@openkbs-pulse/protocol';
import { printable } from './errors.js';

/** The SDK functions whose failures are reported (the name `onError` is told). */
export type PulseCallName =
  | 'getToken'
  | 'publish'
  | 'presence'
  | 'channels'
  | 'status'
  | 'enable'
  | 'disable'
  | 'publishBatch'
  | 'close'
  | 'verifyToken';

/** Receives every failure of a call: {@link PulseClientOptions.onError}. */
export type ErrorHook = (error: PulseError | Error, call: PulseCallName) => void;

/** Returned promises whose outcome someone asked for: `then`, `catch`, `finally` or `await`. */
const observed = new WeakSet<Promise<unknown>>();

/**
 * A promise that records being observed. `await` of a promise whose constructor is not
 * `Promise` goes through its `then`, as `catch`, `finally` and `Promise.all` do, so every way of
 * handling it is seen. Derived promises are plain ones (species).
 */
class ObservedPromise<T> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  override then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    observed.add(this);
    return super.then(onFulfilled, onRejected);
  }
}


/** A thrown value as an `Error` (a non-Error, from an injected hook, becomes its `cause`). */
const asError = (error: unknown): PulseError | Error =>
  isPulseError(error) || error instanceof Error ? error : new Error(`failed: ${shownValue(error)}`, { cause: error });

/** The one line logged for a failure nobody handled: printable, and the message never holds the API key. */
function unhandledLine(call: PulseCallName, error: PulseError | Error): string {
  const code = isPulseError(error) ? ` [${error.code}]` : '';
  return printable(`@openkbs-pulse/server: ${call} failed and its promise was not handled (pass onError to createPulseClient to receive failures): ${messageText(error.message)}${code}`);
}

/** Reports `error` to `onError`, or logs it when nobody handled the promise by the next macrotask. */
function report(error: PulseError | Error, call: PulseCallName, onError: ErrorHook | undefined, promise: Promise<unknown>): void {
  if (onError) {
    try {
      onError(error, call);
    } catch (hookError) {
      // A hook that throws must not become an unhandled rejection of its own.
      console.error(printable(`@openkbs-pulse/server: onError threw: ${messageText(asError(hookError).message)}`));
    }
    return;
  }
  // A caller's handler is attached synchronously or within microtasks (await): by then it is known.
  setTimeout(() => quietly(() => observed.has(promise) || console.error(unhandledLine(call, error))), 0);
}

/** Runs `work`, which reports; a throw of its own (a `message` getter that throws, a `console.error` replaced by one that throws) has nobody left to tell. */
function quietly(work: () => unknown): void {
  try {
    work();
  } catch {
    // Nothing: the SDK's handler must not become an unhandled rejection or an uncaught exception.
  }
}

/**
 * Runs `run` (a synchronous throw becomes a rejection) and returns its outcome as a promise that
 * is never an unhandled rejection; a failure is reported (see the module comment).
 * @param call - the SDK function, for the report.
 * @param onError - the client's hook, if any.
 * @param run - the call itself.
 */
export function reported<T>(call: PulseCallName, onError: ErrorHook | undefined, run: () => Promise<T>): Promise<T> {
  const promise = new ObservedPromise<T>((resolve, reject) => {
    try {
      run().then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
  // Through Promise.prototype.then, not the override: the SDK's own handler is not the caller's.
  // It never throws: the promise it returns is handled by nobody.
  void Promise.prototype.then.call(promise, undefined, (error: unknown) => quietly(() => report(asError(error), call, onError, promise)));
  return promise;
}
