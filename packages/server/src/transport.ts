/**
 * How requests reach the API: undici with a keep-alive connection pool in Node (many
 * publishes reuse a few sockets), the global `fetch` elsewhere (edge runtimes, Deno, Bun,
 * browsers' workers). undici is loaded through the package's `#undici` import map (./undici.ts),
 * so bundlers targeting fetch-only runtimes never include it.
 * @module
 */
import type { Dispatcher } from 'undici';
import { loadUndici, type UndiciModule } from './undici.js';
import { errorMessage, messageText, PulseError, utf8Text } from '@openkbs-pulse/protocol';

/** Which transport to use. `auto`: undici when it can be loaded (Node), else `fetch`. */
export type TransportKind = 'auto' | 'fetch' | 'undici';

/** A `fetch` function (the global one or a ponyfill). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Default of {@link TransportOptions.maxResponseBytes}: 16 MiB. A presence answer can be 100
 * members of 32 KB data each (about 3.3 MB), and a channel list grows with the tenant's channels
 * (5,000 names of 200 characters are 1.2 MB): 1 MiB refused both. The bound is against a runaway
 * or hostile answer, not a valid one.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * A body read with a size bound: its text and whether it was UTF-8 (when not, the text is decoded
 * with U+FFFD in place of the other bytes, fit for an error message only), or how far reading got
 * before it was stopped (`declaredBytes` is the Content-Length when that alone was over the bound).
 */
export type BoundedText = { ok: true; text: string; utf8: boolean } | { ok: false; readBytes: number; declaredBytes?: number | undefined };

/** The answer of one HTTP request. */
export interface HttpResponse {
  /** HTTP status; 0 for a browser's opaque redirect (`redirect: 'manual'` hides its status and Location). */
  status: number;
  /**
   * The URL a `fetch` that ignored `redirect: 'manual'` ended up at (`Response.redirected`):
   * the request was re-sent there, so the answer is not the API's.
   */
  followedTo: string | undefined;
  /** A response header, lower-case name. */
  header(name: string): string | undefined;
  /** Reads the body as UTF-8 text (see {@link BoundedText}), stopping (and cancelling the body) once it is over `maxBytes`. */
  text(maxBytes: number): Promise<BoundedText>;
  /** Drops the body unread (frees the connection). */
  discard(): void;
}

/** Sends one JSON POST. */
export interface Transport {
  /** The transport actually used (`auto` resolves on the first request). */
  readonly kind: 'fetch' | 'undici' | 'pending';
  post(url: string, body: string, signal: AbortSignal): Promise<HttpResponse>;
  /** Closes pooled connections the transport owns. */
  close(): Promise<void>;
}

/** How the SDK sends its HTTP requests (part of {@link PulseClientOptions}). */
export interface TransportOptions {
  /** @default 'auto' */
  transport?: TransportKind | undefined;
  /** A `fetch` to use; implies the fetch transport unless `transport: 'undici'`. */
  fetch?: FetchLike | undefined;
  /** An undici dispatcher (Agent, Pool, ProxyAgent, MockAgent) to send through; implies undici. Not closed by the SDK. */
  dispatcher?: Dispatcher | undefined;
  /** Idle time a pooled connection is kept open, in ms: a positive number (undici only). @default 30000 */
  keepAliveTimeoutMs?: number | undefined;
  /** Most connections per origin: a whole number, at least 1 (undici only). @default 128 */
  connections?: number | undefined;
}

const declaredLength = (value: string | null | undefined): number | undefined => {
  const length = value == null ? NaN : Number(value);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
};

/**
 * Collects chunks until more than `maxBytes` arrived; then calls `stop` (which cancels the body,
 * so the rest is never read nor buffered) and reports how far it got.
 */
async function readBounded(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
  declared: number | undefined,
  stop: () => void,
): Promise<BoundedText> {
  if (declared !== undefined && declared > maxBytes) {
    stop();
    return { ok: false, readBytes: 0, declaredBytes: declared };
  }
  const read: Uint8Array[] = [];
  let readBytes = 0;
  for await (const chunk of chunks) {
    readBytes += chunk.byteLength;
    if (readBytes > maxBytes) {
      stop();
      return { ok: false, readBytes };
    }
    read.push(chunk);
  }
  return { ok: true, ...bodyText(joined(read, readBytes)) };
}

/** The chunks as one array of `length` bytes (decoded at once: whether they are UTF-8 is one question). */
function joined(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * The text of a body by the protocol's UTF-8 rule (utf8Text, the service's for request bodies):
 * other bytes are not swapped for U+FFFD without a word, they make `utf8` false (the caller refuses
 * such an answer; the lenient text is for an error's message). A leading BOM is dropped, as the
 * lenient decoder always did (RFC 8259 lets a parser ignore one).
 */
function bodyText(bytes: Uint8Array): { text: string; utf8: boolean } {
  const text = utf8Text(bytes);
  if (text === undefined) return { text: new TextDecoder().decode(bytes), utf8: false };
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, utf8: true };
}

const ignore = (): void => undefined;

/**
 * `promise`, or a rejection with `signal.reason` once `signal` aborts, whichever comes first.
 * A fetch or dispatcher that ignores the signal (msw, ponyfills, test doubles do, for bodies at
 * least) would otherwise keep the call waiting past its deadline, and past the caller's abort.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** {@link untilAborted} for a request: an answer that arrives after the abort is dropped with `drop` (frees its connection). */
function sentUntilAborted<R>(sent: Promise<R>, signal: AbortSignal, drop: (late: R) => void): Promise<R> {
  sent.then((late) => signal.aborted && drop(late), ignore);
  return untilAborted(sent, signal);
}

/**
 * The chunks of a WHATWG stream, for runtimes whose ReadableStream is not async-iterable.
 * Leaving the loop early cancels the stream: the rest of the body is not downloaded. Each read
 * ends when `signal` aborts, also when the stream itself ignores the abort.
 */
async function* streamChunks(stream: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await untilAborted(reader.read(), signal);
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) void reader.cancel().catch(() => undefined);
  }
}

/**
 * {@link readBounded} of a Node stream that is destroyed when `signal` aborts: undici does that
 * itself, a dispatcher given as an option may not, and the read must end at the deadline anyway.
 */
function readUntilAborted(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
  declared: number | undefined,
  destroy: () => void,
  signal: AbortSignal,
): Promise<BoundedText> {
  if (signal.aborted) destroy();
  signal.addEventListener('abort', destroy, { once: true });
  return untilAborted(readBounded(body, maxBytes, declared, destroy), signal).finally(() => signal.removeEventListener('abort', destroy));
}

const HEADERS = { 'content-type': 'application/json', accept: 'application/json' } as const;

export { loadUndici };

/**
 * Whether this looks like Node, where the `undici` package is the real one. Bun and Deno set
 * `process.versions.node` too, but Bun ships a stub `undici` and Deno's npm compatibility layer
 * is not what the pool was measured on: both get `fetch`, as do edge runtimes.
 * @param scope the global object to inspect (tests pass a fake one).
 */
export function isNodeLike(scope: object = globalThis): boolean {
  const proc = (scope as { process?: { versions?: { node?: unknown } } }).process;
  return typeof proc?.versions?.node === 'string' && !('Bun' in scope) && !('Deno' in scope) && !('EdgeRuntime' in scope);
}

const closedError = () => new PulseError('disconnected', errorMessage('disconnected', 'The Pulse client was closed: make calls before close(), or create another client'));

/** A transport over a `fetch` function. */
export function createFetchTransport(fetchImpl?: FetchLike): Transport {
  let closed = false;
  return {
    kind: 'fetch',
    async post(url, body, signal) {
      if (closed) throw closedError();
      const impl = fetchImpl ?? (globalThis.fetch as FetchLike | undefined);
      if (!impl) throw new PulseError('invalid_argument', errorMessage('invalid_argument', 'No fetch in this runtime: pass the `fetch` option'));
      // Never follow a redirect: it would re-send the body, API key included, to wherever the
      // Location points (307/308), or turn the POST into a GET whose answer looks like success.
      const sent = Promise.resolve(impl(url, { method: 'POST', headers: HEADERS, body, signal, redirect: 'manual' }));
      const response = await sentUntilAborted(sent, signal, (late) => void late.body?.cancel().catch(ignore));
      const cancel = () => void response.body?.cancel().catch(ignore);
      return {
        status: response.status,
        followedTo: response.redirected ? response.url || 'another URL' : undefined,
        header: (name) => response.headers.get(name) ?? undefined,
        text: (maxBytes) =>
          response.body
            ? // Once reading started, leaving the loop cancels the stream (streamChunks).
              readBounded(streamChunks(response.body, signal), maxBytes, declaredLength(response.headers.get('content-length')), () => {
                if (!response.body?.locked) cancel();
              })
            : Promise.resolve({ ok: true, text: '', utf8: true }),
        discard: cancel,
      };
    },
    async close() {
      closed = true;
    },
  };
}

/**
 * {@link createUndiciTransport}, with what building its Agent throws as a PulseError (see
 * {@link undiciRefusal}).
 */
function undiciTransport(mod: UndiciModule, options: TransportOptions): Transport {
  try {
    return createUndiciTransport(mod, options);
  } catch (error) {
    throw undiciRefusal(error);
  }
}

/**
 * An argument undici refuses (its pool options are checked only when the first request builds a
 * pool for the origin), as `invalid_argument`: the call would otherwise report it as a network
 * failure, retry it with backoff, and fail the same way at every later call.
 */
function undiciRefusal(error: unknown): PulseError {
  const detail = `undici refused to send (${messageText(error)}): check the connections and keepAliveTimeoutMs options, and the dispatcher if you passed one`;
  return new PulseError('invalid_argument', errorMessage('invalid_argument', detail), { cause: error });
}

/** Whether undici threw its InvalidArgumentError (by its code: a given dispatcher may come from another copy of undici). */
const isUndiciArgumentError = (error: unknown): boolean => error instanceof Error && (error as { code?: unknown }).code === 'UND_ERR_INVALID_ARG';

/** A transport over an undici dispatcher; creates a keep-alive `Agent` when none is given. */
export function createUndiciTransport(mod: UndiciModule, options: TransportOptions = {}): Transport {
  const owned = options.dispatcher === undefined;
  const dispatcher: Dispatcher =
    options.dispatcher ??
    new mod.Agent({
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      connections: options.connections ?? 128,
    });
  let closed = false;
  return {
    kind: 'undici',
    async post(url, body, signal) {
      if (closed) throw closedError();
      const target = new URL(url);
      const request: Dispatcher.RequestOptions & { maxRedirections: 0 } = {
        origin: target.origin,
        path: target.pathname + target.search,
        method: 'POST',
        headers: HEADERS,
        body,
        signal,
        // A given dispatcher may carry undici's redirect interceptor: 0 turns it off for this
        // request (an Agent of its own never follows redirects).
        maxRedirections: 0,
      };
      // Destroying a body emits an AbortError: handled here, or it would be an uncaught exception.
      const destroyBody = (body: Dispatcher.ResponseData['body']) => void body.on('error', ignore).destroy();
      let response: Dispatcher.ResponseData;
      try {
        response = await sentUntilAborted(dispatcher.request(request), signal, (late) => destroyBody(late.body));
      } catch (error) {
        throw isUndiciArgumentError(error) ? undiciRefusal(error) : error;
      }
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const destroy = () => destroyBody(response.body);
      return {
        status: response.statusCode,
        followedTo: undefined,
        header,
        text: (maxBytes) => readUntilAborted(response.body, maxBytes, declaredLength(header('content-length')), destroy, signal),
        discard: destroy,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) await dispatcher.close();
    },
  };
}

/**
 * Creates the transport described by `options`. `auto` and `undici` resolve on the first
 * request (the dynamic import is asynchronous); `kind` then tells which one was picked.
 */
export function createTransport(options: TransportOptions = {}): Transport {
  const requested = options.transport ?? 'auto';
  if (requested === 'fetch' || (requested === 'auto' && options.fetch && !options.dispatcher)) {
    return createFetchTransport(options.fetch);
  }
  if (requested === 'auto' && !options.dispatcher && !isNodeLike()) return createFetchTransport(options.fetch);

  let resolved: Transport | undefined;
  let resolving: Promise<Transport> | undefined;
  let closed = false;
  const resolve = (): Promise<Transport> =>
    (resolving ??= loadUndici().then((mod) => {
      if (mod) resolved = undiciTransport(mod, options);
      else if (requested === 'undici') {
        throw new PulseError('invalid_argument', errorMessage('invalid_argument', 'transport "undici" was requested but the undici package cannot be loaded in this runtime: use transport "auto" or "fetch"'));
      } else resolved = createFetchTransport(options.fetch);
      return resolved;
    }));
  return {
    get kind() {
      return resolved?.kind ?? 'pending';
    },
    async post(url, body, signal) {
      if (closed) throw closedError();
      return (resolved ?? (await resolve())).post(url, body, signal);
    },
    async close() {
      closed = true;
      if (resolving) await (await resolving.catch(() => undefined))?.close();
    },
  };
}
