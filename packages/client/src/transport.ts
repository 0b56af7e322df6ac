/**
 * One WebSocket and its heartbeat. The transport reports exactly one `down` per socket, with
 * what is known about why (close code, whether it ever opened, the HTTP status and error code
 * of a refused upgrade where the runtime exposes them).
 *
 * Heartbeat: a single timer per connection, never touched on the message path. When nothing
 * was received for `intervalMs` a `ping` goes out; when nothing arrives `timeoutMs` after it,
 * the socket is declared dead. The timer reads the clock's `now`, so a late (throttled) timer
 * still measures real silence, and `check()` can be called at any time (tab visible again).
 * @module
 */
import type { Clock, ErrorCode } from '@openkbs-pulse/protocol';
import { SCRIPT_TAG } from './script-tag.js';

/** The part of a WebSocket `message` event the client reads. */
export interface WebSocketMessageEventLike {
  /** The frame (a string for text frames). */
  data: unknown;
}
/** The part of a WebSocket `close` event the client reads. */
export interface WebSocketCloseEventLike {
  /** Close code (`CLOSE_CODES`: 4001 token expired, 4002 connection TTL, 4008 slow consumer; 1006 abnormal). */
  code: number;
  /** Close reason, if any. */
  reason?: string;
}

/** What the engine needs from a WebSocket: the browser API subset `ws` also implements. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Set by the client: the socket opened. */
  onopen: ((event: unknown) => void) | null;
  /** Set by the client: a frame arrived. */
  onmessage: ((event: WebSocketMessageEventLike) => void) | null;
  /** Set by the client: the socket closed. */
  onclose: ((event: WebSocketCloseEventLike) => void) | null;
  /** Set by the client: an error (followed by `close`, except in some runtimes before the socket opened). */
  onerror: ((event: unknown) => void) | null;
  /** Sends a text frame. */
  send(data: string): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** `ws` (Node) only: listen to a refused upgrade's HTTP response. */
  on?(event: 'unexpected-response', listener: (request: unknown, response: HttpResponseLike) => void): unknown;
  /** `ws` (Node) only: stop listening to refused upgrades. */
  off?(event: 'unexpected-response', listener: (request: unknown, response: HttpResponseLike) => void): unknown;
  /** `ws` (Node) only: abort at once. */
  terminate?(): void;
}

/** The HTTP response `ws` hands to `unexpected-response` (a Node IncomingMessage). */
export interface HttpResponseLike {
  /** HTTP status of the refusal (401, 403, ...). */
  statusCode?: number;
  /** Body chunks (JSON `{ error, code }` from the service). */
  on(event: 'data', listener: (chunk: unknown) => void): unknown;
  /** End of the body, or a failure reading it. */
  on(event: 'end' | 'error', listener: () => void): unknown;
}

/** A WebSocket constructor (the browser's, `ws`, or a test fake). */
export type WebSocketLikeConstructor = new (url: string) => WebSocketLike;

/** Why a socket went down. */
export interface DownInfo {
  /** WebSocket close code (1006 for abnormal closes and dead heartbeats). */
  code: number;
  reason: string;
  /** Whether the socket ever opened. */
  opened: boolean;
  /** HTTP status of a refused upgrade (Node only). */
  status?: number;
  /** Error code from the refused upgrade's JSON body (Node only). */
  errorCode?: ErrorCode;
}

/** Callbacks of a transport. */
export interface TransportHandlers {
  open(): void;
  /** A frame arrived (its `data`). */
  frame(data: unknown): void;
  down(info: DownInfo): void;
  /** Sends the heartbeat's ping (the engine logs it like every frame it sends). */
  ping(): void;
}

/** An open or opening socket. */
export interface Transport {
  /** Sends `text` if the socket is open; `false` when it is not (the caller queues instead). */
  send(text: string): boolean;
  /** Closes without reporting `down` and removes every listener. */
  close(): void;
  /** Runs the heartbeat check now (after a tab wakes up or the network comes back). */
  check(): void;
}

const noop = (): void => {};

/** Opens `url` and watches it. */
export function openTransport(
  Ctor: WebSocketLikeConstructor,
  url: string,
  clock: Clock,
  intervalMs: number,
  timeoutMs: number,
  handlers: TransportHandlers,
): Transport {
  // Before open, the "ping" is the connect attempt itself: it must open within interval + timeout.
  let delay = intervalMs + timeoutMs;
  let ws: WebSocketLike;
  try {
    ws = new Ctor(url);
  } catch {
    // A constructor that throws (a blocked port, a refused URL) is a failed attempt, reported from
    // a timer like every other: an inert stand-in socket (never open) and a connect timeout due at once.
    ws = {} as WebSocketLike;
    delay = 0;
  }
  let opened = false;
  let done = false;
  let waiting = true;
  let lastRx = clock.now();
  let pingAt = lastRx + delay - timeoutMs;
  let timer: unknown;
  let status: number | undefined;
  let errorCode: ErrorCode | undefined;

  let detached = false;
  const detach = (): void => {
    clock.clearTimeout(timer);
    if (detached) return;
    detached = true;
    ws.onopen = ws.onmessage = ws.onclose = null;
    // `ws` throws on an 'error' event nobody listens to, which closing a connecting socket emits.
    ws.onerror = !SCRIPT_TAG && ws.readyState === 0 ? noop : null;
    if (!SCRIPT_TAG) ws.off?.('unexpected-response', onResponse);
  };
  const down = (info: DownInfo): void => {
    if (done) return;
    done = true;
    detach();
    handlers.down(info);
  };
  /** Detaches, then closes with `code`, or without one drops the socket at once (`terminate` where there is one). */
  const kill = (code?: number): void => {
    detach();
    try {
      if (!SCRIPT_TAG && code === undefined && ws.terminate) ws.terminate();
      else ws.close(code);
    } catch {
      // Closing an already failed or closing socket can throw in some runtimes; it is gone either way.
    }
  };
  const check = (): void => {
    if (done) return;
    clock.clearTimeout(timer);
    const now = clock.now();
    if (waiting && now - pingAt >= timeoutMs) {
      kill();
      down({ code: 1006, reason: 'timeout', opened });
      return;
    }
    if (!waiting && now - lastRx >= intervalMs) {
      waiting = true;
      pingAt = now;
      handlers.ping();
    }
    timer = clock.setTimeout(check, waiting ? pingAt + timeoutMs - now : lastRx + intervalMs - now);
  };
  function onResponse(_request: unknown, response: HttpResponseLike): void {
    status = response.statusCode;
    let body = '';
    const finish = (): void => {
      try {
        const code = (JSON.parse(body) as { code?: ErrorCode }).code;
        if (typeof code === 'string') errorCode = code;
      } catch {
        // Not JSON: the status alone decides.
      }
      kill();
      down({ code: 1006, reason: `HTTP ${status}`, opened, status, errorCode });
    };
    response.on('data', (chunk) => (body += String(chunk)));
    response.on('end', finish);
    response.on('error', finish);
  }

  ws.onopen = () => {
    opened = true;
    waiting = false;
    lastRx = clock.now();
    handlers.open();
    check();
  };
  ws.onmessage = (event) => {
    lastRx = clock.now();
    waiting = false;
    handlers.frame(event.data);
  };
  const onClose = (event: WebSocketCloseEventLike): void => down({ code: event.code, reason: event.reason ?? '', opened, status, errorCode });
  ws.onclose = onClose;
  // An error before open is a failed attempt: some runtimes (undici, Node's global WebSocket)
  // report a refused upgrade with `error` and no `close`. After open, `close` follows.
  ws.onerror = () => {
    if (!opened) {
      kill();
      onClose({ code: 1006, reason: 'error' });
    }
  };
  // Node (`ws`) only: pulse.js, for browsers, leaves the refused-upgrade reading out.
  if (!SCRIPT_TAG) ws.on?.('unexpected-response', onResponse);
  timer = clock.setTimeout(check, delay);

  return {
    send: (text) => ws.readyState === 1 && (ws.send(text), true),
    close() {
      done = true;
      kill(1000);
    },
    check,
  };
}
