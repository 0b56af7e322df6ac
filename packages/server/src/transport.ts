/**
 * How requests reach the API: undici with a keep-alive connection pool in Node (many
 * publishes reuse a few sockets), the global `fetch` elsewhere (edge runtimes, Deno, Bun,
 * browsers' workers). undici is loaded through the package's `#undici` import map (./undici.ts),
 * so bundlers targeting fetch-only runtimes never include it.
 * @module
 */
import type { Dispatcher } from 'undici';
import { loadUndici, type UndiciModule } from './undici.js';
import { PulseError } from '@openkbs-pulse/protocol';

/** Which transport to use. `auto`: undici when it can be loaded (Node), else `fetch`. */
export type TransportKind = 'auto' | 'fetch' | 'undici';

/** A `fetch` function (the global one or a ponyfill). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** The answer of one HTTP request. */
export interface HttpResponse {
  status: number;
  /** A response header, lower-case name. */
  header(name: string): string | undefined;
  text(): Promise<string>;
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
  /** Idle time a pooled connection is kept open, in ms (undici only). @default 30000 */
  keepAliveTimeoutMs?: number | undefined;
  /** Most connections per origin (undici only). @default 128 */
  connections?: number | undefined;
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

const closedError = () => new PulseError('disconnected', 'The Pulse client was closed');

/** A transport over a `fetch` function. */
export function createFetchTransport(fetchImpl?: FetchLike): Transport {
  let closed = false;
  return {
    kind: 'fetch',
    async post(url, body, signal) {
      if (closed) throw closedError();
      const impl = fetchImpl ?? (globalThis.fetch as FetchLike | undefined);
      if (!impl) throw new PulseError('invalid_argument', 'No fetch in this runtime: pass the `fetch` option');
      const response = await impl(url, { method: 'POST', headers: HEADERS, body, signal });
      return {
        status: response.status,
        header: (name) => response.headers.get(name) ?? undefined,
        text: () => response.text(),
      };
    },
    async close() {
      closed = true;
    },
  };
}

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
      const response = await dispatcher.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: 'POST',
        headers: HEADERS,
        body,
        signal,
      });
      return {
        status: response.statusCode,
        header: (name) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        text: () => response.body.text(),
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
      if (mod) resolved = createUndiciTransport(mod, options);
      else if (requested === 'undici') {
        throw new PulseError('invalid_argument', 'transport "undici" was requested but the undici package cannot be loaded');
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
