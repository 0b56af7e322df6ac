/**
 * One WebSocket and its heartbeat. The transport reports exactly one `down` per socket, with
 * what is known about why (close code, whether it ever opened, the HTTP status and error code
 * of a refused upgrade where the runtime exposes them).
 *
 * Heartbeat: a single timer per connection. The message path only sets a flag (no clock read
 * per message: on a busy connection that was a tenth of the client's receive cost); the timer
 * reads it. When nothing was received for `intervalMs` a `ping` goes out: the silence is measured
 * from the open, the last pong, or the check that found the flag set; while not waiting for a
 * pong the check runs every quarter interval, so a ping comes at most a quarter interval late. Every ping (the heartbeat's, and those that
 * confirm publishes) must be answered by a `pong` within `timeoutMs`, or the socket is declared
 * dead: other frames do not count, so a service that keeps sending but stopped handling what we
 * send is noticed. The timer reads the clock's `now`, so a late (throttled) timer still measures
 * real time, and `check()` can be called at any time (tab visible again).
 *
 * Closing: `close()` starts the close handshake and drops the socket after one second at most,
 * so an unresponsive peer never keeps a Node process alive (ws waits 30 s on its own).
 * @module
 */
import { isErrorCode, MAX_FRAME_BURST, MAX_FRAMES_PER_SECOND, type Clock, type ErrorCode } from '@openkbs-pulse/protocol';

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
  /** `nodebuffer` in `ws` (Node) only: with `on` and `off`, it marks a socket as ws (see `on`). */
  binaryType?: string;
  /** `ws` (Node) only: listen to a refused upgrade's HTTP response. */
  on?(event: 'unexpected-response', listener: UpgradeResponseListener): unknown;
  /**
   * `ws` (Node) only, on a socket that is ws (`binaryType` 'nodebuffer', `off` present): listen
   * to messages, a Buffer and whether it is binary, with no MessageEvent made for each (which
   * costs CPU on every message). Any other socket gets its messages through `onmessage`,
   * whatever its `on` does.
   */
  on?(event: 'message', listener: NodeMessageListener): unknown;
  /** `ws` (Node) only, on a socket that is ws (as for `message`): the socket closed, with its code and reason. */
  on?(event: 'close', listener: NodeCloseListener): unknown;
  /** `ws` (Node) only, on a socket that is ws (as for `message`): an error. */
  on?(event: 'error', listener: NodeErrorListener): unknown;
  /** `ws` (Node) only: stop listening to refused upgrades. */
  off?(event: 'unexpected-response', listener: UpgradeResponseListener): unknown;
  /** `ws` (Node) only: stop listening to messages. */
  off?(event: 'message', listener: NodeMessageListener): unknown;
  /** `ws` (Node) only: stop listening to closes. */
  off?(event: 'close', listener: NodeCloseListener): unknown;
  /** `ws` (Node) only: stop listening to errors. */
  off?(event: 'error', listener: NodeErrorListener): unknown;
  /** `ws` (Node) only: abort at once. */
  terminate?(): void;
}

/** `ws`'s `unexpected-response` listener: the request and the refusing HTTP response. */
export type UpgradeResponseListener = (request: unknown, response: HttpResponseLike) => void;
/** `ws`'s `close` listener: the close code and the reason's bytes. */
export type NodeCloseListener = (code: number, reason: { toString(): string }) => void;
/** `ws`'s `error` listener. */
export type NodeErrorListener = (error: unknown) => void;
/** `ws`'s `message` listener: the payload (a Buffer for text) and whether the frame was binary. */
export type NodeMessageListener = (data: { toString(): string }, isBinary: boolean) => void;

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

/**
 * What a transport reports to (the engine implements it: one object, no closures per socket).
 */
export interface TransportHandlers {
  _opened(): void;
  /** A frame arrived (its `data`). */
  _frame(data: unknown): void;
  _down(info: DownInfo): void;
  /** The heartbeat wants a ping (the engine sends it through its queue, which records what it confirms). */
  _pingNow(): void;
  /** The closing socket is gone (after `close()`). */
  _closed(): void;
}

const noop = (): void => {};

/** Longest refusal body read from a refused upgrade. */
const MAX_REFUSAL_BODY = 4096;

/** The frame that asks for a pong (the heartbeat's, and the queue's confirmations). */
export const PING = '{"action":"ping"}';

/**
 * Frames sent at once, then per second, on one connection: half the service's burst allowance
 * (`MAX_FRAME_BURST`), as the network may bunch frames sent apart, and nine tenths of its rate
 * (`MAX_FRAMES_PER_SECOND`). Past them the service drops frames with a `rate_limited` error that
 * names no channel, which would reject every unconfirmed publish: frames wait here instead.
 */
const BURST = MAX_FRAME_BURST / 2;
const RATE_PER_MS = (MAX_FRAMES_PER_SECOND * 0.9) / 1000;
/**
 * Frames that may wait for the pace: a minute of sending. A client publishing faster than the
 * service takes for longer gets `queue_full` (see the engine's `_roomToSend`) rather than memory
 * and delays that grow without end.
 */
export const MAX_WAITING = RATE_PER_MS * 60_000;

/**
 * An open or opening socket and its heartbeat. A class: a client holds one at a time, and its
 * methods live on the prototype; the socket's four handlers and the heartbeat's timer callback
 * are its only closures.
 */
export class Transport {
  /** Whether this runtime hides why an upgrade failed (browsers: no `unexpected-response`). */
  readonly hidesRefusals: boolean;
  private _ws: WebSocketLike;
  private _cause: unknown;
  /** Before open, the socket must open within interval + timeout. */
  private _deadline: number;
  private _opened = false;
  private _done = false;
  private _detached = false;
  /** Pings without their pong. */
  private _outstanding = 0;
  /** Since when we wait: for the open, or for the oldest unanswered ping. */
  private _waitingSince: number;
  /** When something was last known to arrive (open, pong, or a check that found {@link _received}). */
  private _lastRx: number;
  /** A frame arrived since the last check. */
  private _received = false;
  /** When the heartbeat last checked. */
  private _checkedAt: number;
  private _timer: unknown;
  private _status: number | undefined;
  private _errorCode: ErrorCode | undefined;
  private _message: string | undefined;
  /** `ws` (Node): the listener of a refused upgrade, until the socket opens. */
  private _onResponse: UpgradeResponseListener | undefined;
  /** `ws` (Node): the client's listeners of its own events, removed when done with the socket. */
  private _onMessage: NodeMessageListener | undefined;
  private _onClose: NodeCloseListener | undefined;
  private _onError: NodeErrorListener | undefined;
  private readonly _tick = (): void => this.check();
  /** Frames the pace allows now (see {@link BURST}), as of {@link _paceAt}. */
  private _allowance = BURST;
  private _paceAt: number;
  /**
   * Frames taken by {@link send} and frames written to the socket, on this connection: what is
   * still waiting cannot be what the service refused (see queue.ts).
   */
  private _taken = 0;
  _written = 0;
  /** Frames waiting for the pace, oldest first (none: `undefined`). */
  private _outbox: string[] | undefined;
  private _outboxTimer: unknown;

  /** Opens `url` and watches it. */
  constructor(
    Ctor: WebSocketLikeConstructor,
    url: string,
    private readonly _clock: Clock,
    private readonly _intervalMs: number,
    private readonly _timeoutMs: number,
    private readonly _handlers: TransportHandlers,
  ) {
    this._deadline = _intervalMs + _timeoutMs;
    this._waitingSince = this._lastRx = this._checkedAt = this._paceAt = _clock.now();
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url);
    } catch (error) {
      // A constructor that throws (a blocked port, a refused URL) is a failed attempt, reported from
      // a timer like every other: an inert stand-in socket (never open) and a deadline due at once.
      ws = {} as WebSocketLike;
      this._cause = error;
      this._deadline = 0;
    }
    this._ws = ws;
    this.hidesRefusals = !ws.on;
    ws.onopen = () => {
      // Open: no more upgrade to refuse, and no second open. Dropping both listeners frees them
      // (and ws's wrappers of them) for the life of the connection.
      ws.onopen = null;
      this._dropResponseListener();
      this._opened = true;
      this._lastRx = _clock.now();
      _handlers._opened();
      this.check();
    };
    if (ws.on && ws.off && ws.binaryType === 'nodebuffer') {
      // ws: its own events. Its `onmessage` wraps each message in a MessageEvent holding the same
      // `toString()`: about 2 % of the receive CPU. The body is not shared with the onmessage one
      // below: measured in V8 (callgrind, ws pipeline), a shared closure cost more than the
      // MessageEvent, and `String(data)` more still. `onclose`/`onerror` would each keep a
      // wrapper function of ws's with two properties, for the life of the connection (about
      // 100 B a client each, in heap snapshots).
      ws.on(
        'message',
        (this._onMessage = (data, isBinary) => {
          this._received = true;
          _handlers._frame(isBinary ? data : data.toString());
        }),
      );
      ws.on('close', (this._onClose = (code, reason) => this._closedWith(code, String(reason))));
      ws.on('error', (this._onError = (error) => this._failed(error)));
    } else {
      ws.onmessage = (event) => {
        this._received = true;
        _handlers._frame(event.data);
      };
      ws.onclose = (event) => this._closedWith(event.code, event.reason ?? '');
      // The Error inside (undici); a browser's bare Event says nothing and its `target.url` holds
      // the token, so it is not kept as a cause.
      ws.onerror = (event) => this._failed((event as { error?: unknown } | undefined)?.error);
    }
    if (ws.on) {
      this._onResponse = (_request, response) => this._refused(response);
      ws.on('unexpected-response', this._onResponse);
    }
    this._timer = _clock.setTimeout(this._tick, this._deadline);
  }

  /**
   * Sends `text` if the socket is open, at the pace the service allows (frames past it wait, in
   * order). Returns its frame number on this connection (from 1; it has left once
   * {@link _written} reaches it), or 0 when the socket is not open (the caller queues instead).
   */
  send(text: string): number {
    if (this._ws.readyState !== 1) return 0;
    if (this._outbox || !this._allow()) {
      (this._outbox ??= []).push(text);
      this._sendLater();
    } else this._write(text);
    return ++this._taken;
  }

  /** How many frames wait for the pace. */
  _waiting(): number {
    return this._outbox?.length ?? 0;
  }

  /** Takes one frame of the pace's allowance, if there is one. */
  private _allow(): boolean {
    const now = this._clock.now();
    this._allowance = Math.min(BURST, this._allowance + (now - this._paceAt) * RATE_PER_MS);
    this._paceAt = now;
    if (this._allowance < 1) return false;
    this._allowance--;
    return true;
  }

  private _sendLater(): void {
    this._outboxTimer ??= this._clock.setTimeout(() => this._sendWaiting(), Math.ceil((1 - this._allowance) / RATE_PER_MS));
  }

  /** Sends what the pace allows of the waiting frames. */
  private _sendWaiting(): void {
    this._outboxTimer = undefined;
    const outbox = this._outbox!;
    let sent = 0;
    while (sent < outbox.length && this._ws.readyState === 1 && this._allow()) this._write(outbox[sent++]!);
    outbox.splice(0, sent);
    // Closed meanwhile: the engine's queue sends its unconfirmed work again on the next connection.
    if (!outbox.length || this._ws.readyState !== 1) this._outbox = undefined;
    else this._sendLater();
  }

  private _write(text: string): void {
    this._written++;
    this._ws.send(text);
    // The pong's deadline counts from when the ping left, not from when it was queued.
    if (text === PING) this._pinged();
  }

  /** A ping was sent: a pong must follow within `timeoutMs`. */
  private _pinged(): void {
    if (!this._outstanding++) {
      this._waitingSince = this._clock.now();
      this.check();
    }
  }

  /** A pong arrived. */
  ponged(): void {
    if (this._outstanding > 0) this._outstanding--;
    // The next unanswered ping was sent later than the one answered: now bounds it.
    // The pong is the latest frame (this runs inside its onmessage): now is exact.
    this._waitingSince = this._lastRx = this._clock.now();
    this._received = false;
  }

  /** Runs the heartbeat check now (after a tab wakes up or the network comes back). */
  check(): void {
    if (this._done) return;
    const clock = this._clock;
    clock.clearTimeout(this._timer);
    const now = clock.now();
    const quarter = this._intervalMs / 4;
    if (this._received) {
      // A frame arrived since the last check: date it now, or at that check when it is longer
      // ago than the quarter interval between checks (timers throttled, or a wake-up check), so
      // a ping is never late by more than a quarter interval (early is harmless).
      this._received = false;
      this._lastRx = now - this._checkedAt > quarter ? this._checkedAt : now;
    }
    this._checkedAt = now;
    const opened = this._opened;
    const waiting = !opened || this._outstanding > 0;
    const limit = opened ? this._timeoutMs : this._deadline;
    if (waiting && now - this._waitingSince >= limit) {
      this._kill();
      // What a refusal that never finished said (its status) is not known to be the reason: a timeout is retried.
      this._report({ code: 1006, reason: 'timeout', opened, cause: this._cause });
      return;
    }
    // Frames waiting for the pace end in a ping of the queue's: the heartbeat need not add one.
    if (!waiting && !this._outbox && now - this._lastRx >= this._intervalMs) {
      this._handlers._pingNow();
      if (this._outstanding) return this.check();
    }
    // Not waiting: check again within a quarter interval, so frames flagged meanwhile are dated at most that late.
    const next = waiting ? this._waitingSince + limit : this._outbox ? now + quarter : Math.min(this._lastRx + this._intervalMs, now + quarter);
    this._timer = clock.setTimeout(this._tick, Math.max(0, next - now));
  }

  /** Starts closing without reporting `down`: `closed` follows within a second. */
  close(): void {
    if (this._done) return;
    this._done = true;
    const ws = this._ws;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this._clock.clearTimeout(closeTimer);
      this._kill();
      ws.onclose = ws.onerror = null;
      this._handlers._closed();
    };
    this._detach();
    // Until the socket is gone: errors while closing are expected, and must not reach ws's throw.
    ws.onerror = noop;
    ws.onclose = finish;
    const closeTimer = this._clock.setTimeout(finish, 1000);
    try {
      ws.close(1000);
    } catch {
      finish();
    }
  }

  private _detach(): void {
    this._clock.clearTimeout(this._timer);
    this._clock.clearTimeout(this._outboxTimer);
    this._outbox = undefined;
    if (this._detached) return;
    this._detached = true;
    const ws = this._ws;
    ws.onopen = ws.onmessage = ws.onclose = null;
    // Only the client's own: an app's subclass of ws may listen to its sockets too.
    if (this._onMessage) {
      ws.off!('message', this._onMessage);
      ws.off!('close', this._onClose!);
      ws.off!('error', this._onError!);
    }
    // `ws` throws on an 'error' event nobody listens to, which closing a connecting socket emits.
    ws.onerror = ws.readyState === 0 ? noop : null;
    this._dropResponseListener();
  }

  private _dropResponseListener(): void {
    if (this._onResponse) this._ws.off?.('unexpected-response', this._onResponse);
    this._onResponse = undefined;
  }

  /** Reports the one `down` of this socket. */
  private _report(info: DownInfo): void {
    if (this._done) return;
    this._done = true;
    this._detach();
    this._handlers._down(info);
  }

  /**
   * The socket reported an error (`cause`, when the runtime gives one). Before open it is a failed
   * attempt: some runtimes (undici, Node's global WebSocket) report a refused upgrade with
   * `error` and no `close`. After open, `close` follows.
   */
  private _failed(cause: unknown): void {
    this._cause = cause;
    if (!this._opened) {
      this._kill();
      this._closedWith(1006, 'error');
    }
  }

  /** The socket closed (or failed before opening): down with everything known about why. */
  private _closedWith(code: number, reason: string): void {
    this._report({ code, reason, opened: this._opened, status: this._status, errorCode: this._errorCode, message: this._message, cause: this._cause });
  }

  /** Detaches, then drops the socket at once (`terminate` where there is one). */
  private _kill(): void {
    this._detach();
    const ws = this._ws;
    try {
      if (ws.terminate) ws.terminate();
      else ws.close?.();
    } catch {
      // Closing an already failed or closing socket can throw in some runtimes; it is gone either way.
    }
  }

  /** `ws` (Node): the upgrade was refused; read the JSON body for the code and message. */
  private _refused(response: HttpResponseLike): void {
    const status = (this._status = response.statusCode);
    let body = '';
    // Once reported (`_done`), later chunks and `end` / `error` do nothing.
    const finish = (): void => {
      if (this._done) return;
      try {
        const parsed = JSON.parse(body) as { code?: unknown; error?: unknown };
        if (isErrorCode(parsed.code)) this._errorCode = parsed.code;
        if (typeof parsed.error === 'string') this._message = parsed.error.slice(0, 300);
      } catch {
        // Not JSON: the status alone decides.
      }
      this._kill();
      this._report({ code: 1006, reason: `HTTP ${status}`, opened: this._opened, status, errorCode: this._errorCode, message: this._message });
    };
    response.on('data', (chunk) => {
      body += String(chunk);
      if (body.length > MAX_REFUSAL_BODY) finish();
    });
    response.on('end', finish);
    response.on('error', finish);
  }
}
