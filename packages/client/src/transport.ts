/**
 * One WebSocket and its heartbeat. The transport reports exactly one `down` per socket, with
 * what is known about why (close code, whether it ever opened, the HTTP status and error code
 * of a refused upgrade where the runtime exposes them).
 *
 * Heartbeat: a single timer per connection, never touched on the message path. When nothing
 * was received for `intervalMs` a `ping` goes out. Every ping (the heartbeat's, and those that
 * confirm publishes) must be answered by a `pong` within `timeoutMs`, or the socket is declared
 * dead: other frames do not count, so a service that keeps sending but stopped handling what we
 * send is noticed. The timer reads the clock's `now`, so a late (throttled) timer still measures
 * real time, and `check()` can be called at any time (tab visible again).
 *
 * Closing: `close()` starts the close handshake and drops the socket after one second at most,
 * so an unresponsive peer never keeps a Node process alive (ws waits 30 s on its own).
 * @module
 */
import { isErrorCode, type Clock, type ErrorCode } from '@openkbs-pulse/protocol';

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
  status?: number | undefined;
  /** Error code from the refused upgrade's JSON body (Node only). */
  errorCode?: ErrorCode | undefined;
  /** The service's message from the refused upgrade's JSON body (Node only). */
  message?: string | undefined;
  /** The runtime's error, when it gave one (Node's `ws` does: ECONNREFUSED, ENOTFOUND, ...). */
  cause?: unknown;
}

/** Callbacks of a transport. */
export interface TransportHandlers {
  open(): void;
  /** A frame arrived (its `data`). */
  frame(data: unknown): void;
  down(info: DownInfo): void;
  /** The heartbeat wants a ping (the engine sends it through its queue, which records what it confirms). */
  ping(): void;
  /** The closing socket is gone (after `close()`). */
  closed(): void;
}

/** An open or opening socket. */
export interface Transport {
  /** Sends `text` if the socket is open; `false` when it is not (the caller queues instead). */
  send(text: string): boolean;
  /** A ping was sent: a pong must follow within `timeoutMs`. */
  pinged(): void;
  /** A pong arrived. */
  ponged(): void;
  /** Starts closing without reporting `down`: `closed` follows within a second. */
  close(): void;
  /** Runs the heartbeat check now (after a tab wakes up or the network comes back). */
  check(): void;
  /** Whether this runtime hides why an upgrade failed (browsers: no `unexpected-response`). */
  readonly hidesRefusals: boolean;
}

const noop = (): void => {};

/** Longest refusal body read from a refused upgrade. */
const MAX_REFUSAL_BODY = 4096;

/** Opens `url` and watches it. */
export function openTransport(
  Ctor: WebSocketLikeConstructor,
  url: string,
  clock: Clock,
  intervalMs: number,
  timeoutMs: number,
  handlers: TransportHandlers,
): Transport {
  let ws: WebSocketLike;
  let cause: unknown;
  // Before open, the socket must open within interval + timeout.
  let deadline = intervalMs + timeoutMs;
  try {
    ws = new Ctor(url);
  } catch (error) {
    // A constructor that throws (a blocked port, a refused URL) is a failed attempt, reported from
    // a timer like every other: an inert stand-in socket (never open) and a deadline due at once.
    ws = {} as WebSocketLike;
    cause = error;
    deadline = 0;
  }
  let opened = false;
  let done = false;
  /** Pings without their pong. */
  let outstanding = 0;
  /** Since when we wait: for the open, or for the oldest unanswered ping. */
  let waitingSince = clock.now();
  let lastRx = waitingSince;
  let timer: unknown;
  let closeTimer: unknown;
  let status: number | undefined;
  let errorCode: ErrorCode | undefined;
  let message: string | undefined;

  let detached = false;
  const detach = (): void => {
    clock.clearTimeout(timer);
    if (detached) return;
    detached = true;
    ws.onopen = ws.onmessage = ws.onclose = null;
    // `ws` throws on an 'error' event nobody listens to, which closing a connecting socket emits.
    ws.onerror = ws.readyState === 0 ? noop : null;
    ws.off?.('unexpected-response', onResponse);
  };
  const down = (info: DownInfo): void => {
    if (done) return;
    done = true;
    detach();
    handlers.down(info);
  };
  /** Detaches, then drops the socket at once (`terminate` where there is one). */
  const kill = (): void => {
    detach();
    try {
      if (ws.terminate) ws.terminate();
      else ws.close?.();
    } catch {
      // Closing an already failed or closing socket can throw in some runtimes; it is gone either way.
    }
  };
  const check = (): void => {
    if (done) return;
    clock.clearTimeout(timer);
    const now = clock.now();
    const waiting = !opened || outstanding > 0;
    if (waiting && now - waitingSince >= (opened ? timeoutMs : deadline)) {
      kill();
      down({ code: 1006, reason: 'timeout', opened, cause });
      return;
    }
    if (!waiting && now - lastRx >= intervalMs) {
      handlers.ping();
      if (outstanding) return check();
    }
    const next = outstanding > 0 || !opened ? waitingSince + (opened ? timeoutMs : deadline) : lastRx + intervalMs;
    timer = clock.setTimeout(check, Math.max(0, next - now));
  };
  function onResponse(_request: unknown, response: HttpResponseLike): void {
    status = response.statusCode;
    let body = '';
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      try {
        const parsed = JSON.parse(body) as { code?: unknown; error?: unknown };
        if (isErrorCode(parsed.code)) errorCode = parsed.code;
        if (typeof parsed.error === 'string') message = parsed.error.slice(0, 300);
      } catch {
        // Not JSON: the status alone decides.
      }
      kill();
      down({ code: 1006, reason: `HTTP ${status}`, opened, status, errorCode, message });
    };
    response.on('data', (chunk) => {
      body += String(chunk);
      if (body.length > MAX_REFUSAL_BODY) finish();
    });
    response.on('end', finish);
    response.on('error', finish);
  }

  ws.onopen = () => {
    opened = true;
    lastRx = clock.now();
    handlers.open();
    check();
  };
  ws.onmessage = (event) => {
    lastRx = clock.now();
    handlers.frame(event.data);
  };
  const onClose = (event: WebSocketCloseEventLike): void =>
    down({ code: event.code, reason: event.reason ?? '', opened, status, errorCode, message, cause });
  ws.onclose = onClose;
  // An error before open is a failed attempt: some runtimes (undici, Node's global WebSocket)
  // report a refused upgrade with `error` and no `close`. After open, `close` follows.
  ws.onerror = (event) => {
    cause = (event as { error?: unknown } | undefined)?.error ?? event;
    if (!opened) {
      kill();
      onClose({ code: 1006, reason: 'error' });
    }
  };
  ws.on?.('unexpected-response', onResponse);
  timer = clock.setTimeout(check, deadline);

  return {
    send: (text) => ws.readyState === 1 && (ws.send(text), true),
    pinged() {
      if (!outstanding++) {
        waitingSince = clock.now();
        check();
      }
    },
    ponged() {
      if (outstanding > 0) outstanding--;
      // The next unanswered ping was sent later than the one answered: now bounds it.
      waitingSince = clock.now();
    },
    close() {
      if (done) return;
      done = true;
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        clock.clearTimeout(closeTimer);
        kill();
        ws.onclose = ws.onerror = null;
        handlers.closed();
      };
      detach();
      // Until the socket is gone: errors while closing are expected, and must not reach ws's throw.
      ws.onerror = noop;
      ws.onclose = finish;
      closeTimer = clock.setTimeout(finish, 1000);
      try {
        ws.close(1000);
      } catch {
        finish();
      }
    },
    check,
    hidesRefusals: !ws.on,
  };
}
