/**
 * The one connection engine behind both public faces (`Pulse` and `Pulse.Realtime`): the state
 * machine of states.ts driven by events, the transport, channels in use, presence, the queue of
 * work awaiting confirmation, and token refresh.
 *
 * Every event goes through `dispatch`, which looks it up in {@link TRANSITIONS}, moves to the
 * next state and runs the listed effects; events raised while one is handled are queued, so
 * listeners always hear changes in order. Everything that waits has a deadline: the open
 * handshake and every pong (transport.ts), the token refresh (`authTimeoutMs`), and the time
 * without a connection after which held work is rejected (`connectionStateTtlMs`).
 *
 * Promises never lie and never crash: each one resolves only when the service confirmed the
 * action, rejects when it was refused or could not be done in time, is rejected rather than
 * thrown, and always has a handler attached here, so one the caller ignores is no unhandled
 * rejection. Its failure is also emitted as an `error` event (once per error object).
 * @module
 */
import {
  buildConnectUrl,
  CLOSE_CODES,
  decodeTokenClaims,
  encodeFrame,
  isRegion,
  checkServerFrame,
  presenceDataProblem,
  publishProblem,
  PulseError,
  REGION_ENDPOINTS,
  systemClock,
  type ClientAction,
  type Clock,
  type ErrorCode,
  type JsonObject,
  type PresenceMember,
  type Region,
} from '@openkbs-pulse/protocol';
import WebSocketDefault from 'isomorphic-ws';
import { isEndpoint, isTokenExpired, refreshToken, tokenProblem, type AuthCallback } from './auth.js';
import { backoffDelay, STABLE_CONNECTION_MS } from './backoff.js';
import { createChannelState, wantsPresence, wantsSubscription, type ChannelState } from './channel-state.js';
import { ANY, createEmitter, logListenerError, type Emitter, type Handler, type ListenerErrorHandler, type WildcardHandler } from './emitter.js';
import { applyPresence, clearPresence, type PresenceEvents } from './presence.js';
import { createQueue } from './queue.js';
import { holdsWork, readTransition, TRANSITIONS, type Effect, type EngineEvent, type EngineState } from './states.js';
import { openTransport, type DownInfo, type Transport, type WebSocketLikeConstructor } from './transport.js';

/** Options shared by `Pulse` and `Pulse.Realtime`. */
export interface EngineOptions {
  /** Your knowledge base id (a non-empty string; a bad option throws `invalid_argument`). */
  kbId: string;
  /** JWT from your backend (`getToken`): the `token` string, not the whole `{ token, endpoint }` answer. */
  token: string;
  /**
   * Region of the hosted service, used when neither `endpoint` nor the token names an endpoint.
   * @default 'us-east-1'
   */
  region?: Region;
  /**
   * WebSocket endpoint (a `ws://` or `wss://` URL).
   * @default the token's `endpoint` claim, else the region's endpoint
   */
  endpoint?: string;
  /**
   * Channel subscribed at connect time (sent in the connect URL); also `pulse.channel()`'s default.
   * @default none (`pulse.channel()` without a name is `'default'`)
   */
  channel?: string;
  /**
   * Log state changes and frames with `console.debug`.
   * @default false
   */
  debug?: boolean;
  /**
   * Connect in the constructor.
   * @default true
   */
  autoConnect?: boolean;
  /**
   * Returns a fresh token when the current one expired (then the client reconnects).
   * @default none (an expired token ends in `failed` with `token_expired`, unless `authUrl` is set)
   */
  authCallback?: AuthCallback;
  /**
   * URL answering a fresh token (JSON `{ token, endpoint? }` or text), fetched with GET (cookies
   * included) when the token expired and there is no `authCallback`.
   * @default none
   */
  authUrl?: string;
  /**
   * Longest wait for `authCallback`/`authUrl`, in ms; a refresh that takes longer fails with
   * `timeout` and is tried again with backoff.
   * @default 10000
   */
  authTimeoutMs?: number;
  /**
   * How long the client holds work while it has no connection, in ms. Past it the client is
   * `suspended`: queued and unconfirmed publishes, presence changes and presence reads reject with
   * `timeout`, and new ones reject at once until a connection opens (retries go on).
   * @default 120000
   */
  connectionStateTtlMs?: number;
  /** `fetch` used for `authUrl`. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** WebSocket implementation. @default the browser's WebSocket, `ws` in Node */
  WebSocket?: WebSocketLikeConstructor;
  /** Timers and time (tests pass a fake clock). @default the runtime's timers */
  clock?: Clock;
  /** Random source in [0, 1) for reconnect jitter. @default Math.random */
  random?: () => number;
  /**
   * Silence after which a `ping` is sent, in ms.
   * @default 20000
   */
  heartbeatIntervalMs?: number;
  /**
   * Longest wait for a `pong` after any ping (and for the socket to open, after the interval), in
   * ms, before the connection is replaced.
   * @default 10000
   */
  heartbeatTimeoutMs?: number;
  /**
   * Publishes and presence changes kept while not connected (including unconfirmed ones put back
   * when the connection went down); more are rejected with `queue_full`.
   * @default 100
   */
  maxQueueSize?: number;
  /**
   * Called with what a listener of yours threw (the other listeners and the client go on).
   * @default console.error
   */
  onListenerError?: (error: unknown) => void;
  /**
   * Browsers: one WebSocket for all tabs of this origin whose token has the same kbId and
   * `userId`. The tab holding a Web Lock connects; the others talk to it over a
   * `BroadcastChannel`, and one of them takes over when it closes. Where Web Locks or
   * `BroadcastChannel` are missing (Node, old browsers) each client connects on its own.
   * See docs/share-connection.md (presence rule, failover, limits).
   * @default false
   */
  shareConnection?: boolean;
}

/** A state change. */
export interface StateChange<S extends string = EngineState> {
  /** The new state. */
  current: S;
  /** The state before. */
  previous: S;
  /** The error that caused it, if any. */
  reason?: PulseError | undefined;
}

/** Engine events. */
export type EngineEvents = {
  /** The connection state changed. */
  state: StateChange;
  /**
   * Every failure, once: an error frame from the service, a refused or failed connection attempt,
   * a close by the service with a reason, a failed token refresh, and every rejected promise.
   */
  error: PulseError;
  /** A connection-level error that left the state as it was (Ably's `update`): a failed retry, an error frame. */
  update: PulseError;
};

/** Which emitter of a channel a listener goes on: messages, or presence. */
export type ListenTarget = 'm' | 'p';

/** @internal The engine both faces adapt. Channels are addressed by name: faces keep no state. */
export interface Engine {
  readonly _state: EngineState;
  /** Whether the connection was lost or an attempt failed since `connect()`. */
  readonly _retrying: boolean;
  _on<K extends keyof EngineEvents>(type: K, handler: (event: EngineEvents[K]) => void): () => void;
  _connect(): void;
  _close(): void;
  /** The channel in use named `name`, if any. */
  _channel(name: string): ChannelState | undefined;
  /** Adds a listener to channel `name` (put in use); returns its removal (the channel is released once idle). */
  _listen(name: string, target: ListenTarget, type: string | typeof ANY, handler: Handler<never> | WildcardHandler<never>, face?: unknown): () => void;
  _publish(name: string, event: string, data: unknown): Promise<void>;
  /** Enters, or updates once entered; resolves when the service has it. */
  _enter(name: string, data: unknown): Promise<void>;
  _leave(name: string): Promise<void>;
  /** The members once a sync arrived (requests one when needed). */
  _get(name: string): Promise<PresenceMember[]>;
  /** Members and count known now; starts tracking presence of a subscribed channel. */
  _members(name: string): { members: PresenceMember[]; count: number };
  /** Drops every listener, leaves presence, unsubscribes and forgets the channel. */
  _release(name: string): void;
}

const DEFAULT_WEBSOCKET = WebSocketDefault as unknown as WebSocketLikeConstructor | undefined;
const PING = '{"action":"ping"}';
const RESOLVED = Promise.resolve();

/** Refusals that end in `failed` (no retry loop), with what to do about them. */
const FATAL: Partial<Record<ErrorCode, string>> = {
  invalid_token: 'mint it with getToken() for this kbId',
  forbidden: 'the token does not allow this',
  kb_mismatch: 'use one kbId in getToken() and the client',
  pulse_not_enabled: 'run: openkbs pulse enable',
};
/** The message of every `token_expired` the client raises itself. */
const EXPIRED = 'token expired: set authCallback or authUrl to refresh it, or mint a new one';
const BAD_ENDPOINT = 'endpoint must be a ws:// or wss:// URL';
const isFatal = (code: ErrorCode | undefined): code is ErrorCode => !!code && Object.prototype.hasOwnProperty.call(FATAL, code);

/** A positive finite number option, or `invalid_argument`. */
function positive(options: EngineOptions, key: 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'maxQueueSize' | 'authTimeoutMs' | 'connectionStateTtlMs', fallback: number): number {
  const value = options[key] ?? fallback;
  if (typeof value === 'number' && value > 0 && value < Infinity) return value;
  throw new PulseError('invalid_argument', `${key} must be a positive number`);
}

/** Checks the options a client cannot work without, throwing `invalid_argument` (or the token's problem). */
function checkOptions(options: EngineOptions): void {
  if (typeof options?.kbId !== 'string' || !options.kbId) throw new PulseError('invalid_argument', 'kbId must be a non-empty string: new Pulse({ kbId, token })');
  const problem = tokenProblem(options.token, options.kbId);
  if (problem) throw problem;
  if (options.endpoint !== undefined && !isEndpoint(options.endpoint)) throw new PulseError('invalid_argument', BAD_ENDPOINT);
  if (options.region !== undefined && !isRegion(options.region)) throw new PulseError('invalid_argument', `unknown region ${String(options.region)}`);
}

/** Creates the engine (and connects unless `autoConnect` is false). Throws a `PulseError` on a bad option or token. */
export function createEngine(options: EngineOptions): Engine {
  checkOptions(options);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const intervalMs = positive(options, 'heartbeatIntervalMs', 20_000);
  const timeoutMs = positive(options, 'heartbeatTimeoutMs', 10_000);
  const authTimeoutMs = positive(options, 'authTimeoutMs', 10_000);
  const ttlMs = positive(options, 'connectionStateTtlMs', 120_000);
  const canRefresh = !!(options.authCallback || options.authUrl);
  if (options.autoConnect !== false && !canRefresh && isTokenExpired(options.token, clock.now())) {
    throw new PulseError('token_expired', EXPIRED);
  }
  const onListenerError: ListenerErrorHandler = options.onListenerError ?? logListenerError;
  const debug = options.debug ? (...args: unknown[]) => console.debug('[pulse]', ...args) : undefined;
  const em = createEmitter<EngineEvents>(onListenerError);
  const channels = new Map<string, ChannelState>();
  const g = globalThis as unknown as Partial<Window & typeof globalThis>;
  const doc = g.document;
  const Ctor = options.WebSocket ?? DEFAULT_WEBSOCKET ?? (g.WebSocket as WebSocketLikeConstructor | undefined);

  let token = options.token;
  let authEndpoint: string | undefined;
  let state: EngineState = 'initialized';
  let retrying = false;
  /** Suspended since the last connection: new work is rejected at once. */
  let stale = false;
  let transport: Transport | undefined;
  let retryTimer: unknown;
  let ttlTimer: unknown;
  let attempt = 0;
  let openedAt = 0;
  let nextDelay = 0;
  let hidden = false;
  let refreshing = false;
  /** The runtime hides why an upgrade failed (browsers), as the last transport found. */
  let hidesRefusals = false;
  /** A failed attempt was reported since the last open or `connect()` (one error per run of failures). */
  let reported = false;
  /** Bumped by connect / close / failure, so late async work (a token refresh) is ignored. */
  let epoch = 0;
  /** Errors already emitted: a rejection carrying one of them is not emitted again. */
  const emitted = new WeakSet<PulseError>();

  const report = (error: PulseError): void => {
    emitted.add(error);
    em.emit('error', error);
  };

  /** A connection-level error: `update`, then `error`. */
  const update = (error: PulseError): void => {
    em.emit('update', error);
    report(error);
  };

  /** Runs `work`, turning a throw into a rejection; failures are emitted; the promise is always handled. */
  const settle = <T>(work: () => Promise<T>): Promise<T> => {
    let promise: Promise<T>;
    try {
      promise = work();
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.catch((error: PulseError) => emitted.has(error) || report(error));
    return promise;
  };

  const endpoint = (): string =>
    options.endpoint ?? authEndpoint ?? decodeTokenClaims(token)?.endpoint ?? REGION_ENDPOINTS[options.region ?? 'us-east-1'];
  /** The endpoint as messages show it: never the token. */
  const shown = (): string => endpoint().split('?')[0]!;

  // ---- the state machine ----------------------------------------------------------------

  const queued: [EngineEvent, PulseError | undefined][] = [];
  let dispatching = false;
  /** Handles `event` (queued while another is handled, so listeners hear changes in order). */
  const dispatch = (event: EngineEvent, reason?: PulseError): void => {
    queued.push([event, reason]);
    if (dispatching) return;
    dispatching = true;
    try {
      for (let next = queued.shift(); next; next = queued.shift()) step(next[0], next[1]);
    } finally {
      dispatching = false;
    }
  };
  const step = (event: EngineEvent, reason: PulseError | undefined): void => {
    const row = TRANSITIONS[state][event];
    debug?.(event, 'in', state, '->', row ?? '(ignored)', reason ?? '');
    if (!row) return;
    const previous = state;
    const [next, ...effects] = readTransition(row);
    state = next;
    for (const effect of effects) EFFECTS[effect](reason);
    if (next !== previous) em.emit('state', { current: next, previous, reason });
    else if (reason) em.emit('update', reason);
    if (reason) report(reason);
  };

  const clearTimers = (): void => {
    clock.clearTimeout(retryTimer);
    clock.clearTimeout(ttlTimer);
    ttlTimer = undefined;
  };
  const startTtl = (): void => {
    ttlTimer ??= clock.setTimeout(() => {
      ttlTimer = undefined;
      dispatch('ttl', new PulseError('timeout', `no connection for ${ttlMs / 1000} s (connectionStateTtlMs)`));
    }, ttlMs);
  };
  /** Rejects everything held (queue, presence reads), forgetting what the server knew. Returns whether anything was rejected. */
  const rejectHeld = (error: PulseError): boolean => {
    let rejected = queue._down(error) > 0;
    for (const ch of channels.values()) {
      ch._subscribed = ch._presenceRequested = false;
      clearPresence(ch._presence);
      if (ch._presence._readers) rejected = true;
      ch._presence._em.emit('gone', error);
    }
    return rejected;
  };
  const dropTransport = (): void => {
    const current = transport;
    transport = undefined;
    current?.close();
  };

  const EFFECTS: Record<Effect, (reason?: PulseError) => void> = {
    watch() {
      epoch++;
      attempt = 0;
      retrying = refreshing = reported = stale = false;
      listenBrowser(true);
    },
    open,
    auth,
    resume() {
      openedAt = clock.now();
      reported = stale = false;
      clearTimers();
      for (const ch of channels.values()) {
        ch._subscribed = ch._name === options.channel;
        ch._presenceRequested = ch._presence._synced = false;
      }
      for (const ch of channels.values()) syncChannel(ch);
      queue._flush();
    },
    retry() {
      retrying = true;
      clock.clearTimeout(retryTimer);
      debug?.('retry in', nextDelay);
      retryTimer = clock.setTimeout(() => dispatch('retry'), nextDelay);
      startTtl();
    },
    suspend(reason) {
      stale = true;
      rejectHeld(reason!);
    },
    shutdown() {
      epoch++;
      clearTimers();
      listenBrowser(false);
      const error = new PulseError('disconnected', 'disconnect() came first');
      if (rejectHeld(error)) report(error);
      if (transport) dropTransport();
      else dispatch('ended');
    },
    fail(reason) {
      epoch++;
      clearTimers();
      listenBrowser(false);
      dropTransport();
      rejectHeld(reason!);
    },
  };

  // ---- connecting ---------------------------------------------------------------------------

  function open(): void {
    clock.clearTimeout(retryTimer);
    dropTransport();
    startTtl();
    const problem = tokenProblem(token, options.kbId);
    if (problem) return dispatch('refused', problem);
    if (isTokenExpired(token, clock.now())) {
      return canRefresh
        ? dispatch('expired')
        : dispatch('refused', new PulseError('token_expired', EXPIRED));
    }
    let url: string;
    try {
      url = buildConnectUrl(endpoint(), { kbId: options.kbId, token, channel: options.channel });
    } catch (cause) {
      return dispatch('refused', new PulseError('invalid_argument', BAD_ENDPOINT, { cause }));
    }
    transport = openTransport(Ctor!, url, clock, intervalMs, timeoutMs, {
      open: () => dispatch('opened'),
      frame: onText,
      down: onDown,
      ping: queue._ping,
      closed: () => dispatch('ended'),
    });
  }

  function auth(): void {
    const current = epoch;
    refreshing = retrying = true;
    dropTransport();
    refreshToken(options, clock, authTimeoutMs).then(
      (fresh) => {
        if (current !== epoch) return;
        refreshing = false;
        if (!fresh) return dispatch('refused', new PulseError('token_expired', EXPIRED));
        token = fresh.token;
        authEndpoint = fresh.endpoint;
        // The first retry after a refresh is immediate; a token that keeps failing backs off.
        if (attempt++ === 0) return dispatch('authed');
        nextDelay = backoffDelay(attempt - 1, random);
        dispatch('lost');
      },
      (cause: unknown) => {
        if (current !== epoch) return;
        refreshing = false;
        nextDelay = backoffDelay(attempt++, random);
        const code = (cause as PulseError)?.code === 'timeout' ? 'timeout' : 'invalid_response';
        dispatch('lost', new PulseError(code, `token refresh failed: ${(cause as Error)?.message ?? cause}`, { cause }));
      },
    );
  }

  /** Why the socket went down, as an event. */
  function onDown(info: DownInfo): void {
    hidesRefusals = transport?.hidesRefusals ?? hidesRefusals;
    transport = undefined;
    // Unconfirmed work goes back to the front of the queue, ahead of anything published from now on.
    queue._down();
    for (const ch of channels.values()) ch._subscribed = ch._presenceRequested = false;
    const now = clock.now();
    if (info.opened && now - openedAt >= STABLE_CONNECTION_MS) attempt = 0;
    const expired = isTokenExpired(token, now);
    let code = info.errorCode;
    const status = info.status;
    if (status === 401 || status === 403) {
      if (code !== 'token_expired' && !isFatal(code)) code = status === 403 ? 'forbidden' : expired ? 'token_expired' : 'invalid_token';
    } else if (info.code === CLOSE_CODES.tokenExpired || (!info.opened && expired)) {
      // Browsers hide the upgrade's status: a socket that never opened with an expired token is refused for it.
      code = 'token_expired';
    } else if (!code) {
      code = info.code === CLOSE_CODES.connectionTtl ? 'connection_expired' : info.code === CLOSE_CODES.slowConsumer ? 'slow_consumer' : undefined;
    }
    if (code === 'token_expired' && canRefresh) return dispatch('expired');
    if (code === 'token_expired' || isFatal(code)) return dispatch('refused', refusal(code, info));
    // Every close backs off; only a connection that stayed up resets the schedule (above).
    nextDelay = backoffDelay(attempt++, random);
    let reason: PulseError | undefined = code && refusal(code, info);
    if (!info.opened) {
      reason = reported ? undefined : (reason ?? cannotConnect(info));
      reported = true;
    }
    dispatch('lost', reason);
  }

  const refusal = (code: ErrorCode, info: DownInfo): PulseError =>
    new PulseError(
      code,
      `${shown()} ${info.opened ? 'closed' : 'refused'} the connection (${info.status ? `HTTP ${info.status} ` : ''}${code}${info.message ? `: ${info.message}` : ''})${code === 'token_expired' ? `: ${EXPIRED}` : isFatal(code) ? `: ${FATAL[code]}` : ''}`,
      { statusCode: info.status, cause: info.cause },
    );
  const cannotConnect = (info: DownInfo): PulseError =>
    new PulseError(
      'network_error',
      `cannot connect to ${shown()}${hidesRefusals ? ' (browsers hide why: check that the service runs, the kbId and the token)' : `: ${(info.cause as Error)?.message ?? 'closed'} (is the service running at this endpoint?)`}`,
      { cause: info.cause },
    );

  /** Online again or visible again: check the connection now, or retry now (unless a token refresh runs). */
  const wake = (): void => {
    if (state === 'connected') transport?.check();
    else if (!refreshing) dispatch('retry');
  };
  const onVisibility = (): void => {
    if (doc?.visibilityState === 'hidden') hidden = true;
    else if (hidden) {
      hidden = false;
      wake();
    }
  };
  const listenBrowser = (on: boolean): void => {
    const method = on ? 'addEventListener' : 'removeEventListener';
    g[method]?.('online', wake);
    doc?.[method]?.('visibilitychange', onVisibility);
  };

  // ---- frames -------------------------------------------------------------------------------

  /** Hands `text` to the socket if it is open; `false` when it is not. */
  const sendText = (text: string): boolean => {
    const sent = transport?.send(text) === true;
    if (sent) {
      debug?.('->', text);
      if (text === PING) transport!.pinged();
    }
    return sent;
  };
  const send = (action: ClientAction): boolean => sendText(encodeFrame(action));
  const queue = createQueue(positive(options, 'maxQueueSize', 100), sendText);

  /**
   * Every frame is checked by the protocol's rules (`checkServerFrame`, the compact form of
   * `parseServerFrame`); a bad one is reported and nothing of it reaches listeners.
   */
  function onText(data: unknown): void {
    debug?.('<-', data);
    const frame = checkServerFrame(data);
    if (!frame) return update(new PulseError('invalid_message', 'ignored a malformed frame from the service (debug: true logs it)'));
    if (frame.type === 'message') channels.get(frame.channel)?._em.emit(frame.data.type, frame);
    else if (frame.type === 'presence') {
      const ch = channels.get(frame.channel);
      if (ch) applyPresence(ch._presence, frame);
    } else if (frame.type === 'pong') {
      transport?.ponged();
      queue._pong();
    } else {
      const error = new PulseError(frame.code, `the service refused an action${frame.channel ? ` on "${frame.channel}"` : ''}: ${frame.error}`);
      update(error);
      queue._refuse(error, frame.channel);
    }
  }

  // ---- channels -----------------------------------------------------------------------------

  /** The channel in use named `name`, put in use (created) when it is not. */
  const use = (name: string): ChannelState => {
    let ch = channels.get(name);
    if (!ch) {
      channels.set(name, (ch = createChannelState(name, onListenerError)));
      // The connect URL's channel is subscribed by the service at once.
      ch._subscribed = state === 'connected' && name === options.channel;
    }
    return ch;
  };

  /**
   * Call after adding or removing listeners or presence: (un)subscribes on the server as needed,
   * sets presence up, and forgets the channel once nothing needs it.
   */
  const syncChannel = (ch: ChannelState): void => {
    const presence = wantsPresence(ch);
    if (!presence) {
      clearPresence(ch._presence);
      ch._presenceRequested = false;
    }
    const wanted = wantsSubscription(ch);
    if (state === 'connected') {
      if (wanted && !ch._subscribed) {
        ch._subscribed = true;
        send({ action: 'subscribe', channel: ch._name });
      } else if (!wanted && ch._subscribed) {
        ch._subscribed = false;
        send({ action: 'unsubscribe', channel: ch._name });
      }
      if (presence && !ch._presenceRequested) {
        ch._presenceRequested = true;
        const entered = ch._presence._entered;
        if (entered) send({ action: 'presence_enter', channel: ch._name, data: entered.data });
        send({ action: 'presence', channel: ch._name });
      }
    }
    if (!wanted && channels.get(ch._name) === ch) channels.delete(ch._name);
  };

  const emitterOf = (ch: ChannelState, target: ListenTarget): Emitter<Record<string, unknown>> =>
    (target === 'm' ? ch._em : ch._presence._em) as unknown as Emitter<Record<string, unknown>>;

  const notConnected = (): PulseError =>
    stale ? new PulseError('timeout', `no connection for over ${ttlMs / 1000} s: try again once connected`) : new PulseError('not_connected', `not connected (${state}): call connect()`);
  /** Throws unless work can be held or sent now. */
  const canWork = (): void => {
    if (!holdsWork(state) || stale) throw notConnected();
  };

  const listen: Engine['_listen'] = (name, target, type, handler, face) => {
    const ch = use(name);
    // The face object that first listens is the one `channel(name)` returns while the channel is in use.
    ch._face ??= face;
    const emitter = emitterOf(ch, target);
    emitter.on(type as string, handler as Handler);
    syncChannel(ch);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      emitter.off(type as string, handler as Handler);
      syncChannel(ch);
    };
  };

  const enter = (name: string, data: unknown): Promise<void> =>
    settle(() => {
      const problem = presenceDataProblem(name, data);
      if (problem) throw new PulseError(problem.code, problem.message);
      canWork();
      const ch = use(name);
      const action = ch._presence._entered ? 'presence_update' : 'presence_enter';
      ch._presence._entered = { data };
      // Once presence is set up on this connection, send the change; else setting it up sends it.
      if (state === 'connected' && ch._subscribed && ch._presenceRequested) send({ action, channel: name, data });
      else syncChannel(ch);
      // A barrier: resolves with the pong of a ping sent after the change.
      return queue._add('', name, state === 'connected');
    });

  const leave = (name: string): Promise<void> =>
    settle(() => {
      const ch = channels.get(name);
      if (!ch?._presence._entered) return RESOLVED;
      ch._presence._entered = undefined;
      let done = RESOLVED;
      // Not connected: the service dropped the member with the connection, and it is not re-entered.
      if (state === 'connected' && ch._presenceRequested) {
        send({ action: 'presence_leave', channel: name });
        done = queue._add('', name, true);
      }
      syncChannel(ch);
      return done;
    });

  const members = (ch: ChannelState): PresenceMember[] => [...ch._presence._byId.values()];

  const get = (name: string): Promise<PresenceMember[]> =>
    settle(() => {
      canWork();
      const ch = use(name);
      const set = ch._presence;
      if (set._synced && ch._presenceRequested) return Promise.resolve(members(ch));
      set._readers++;
      return new Promise<PresenceMember[]>((resolve, reject) => {
        const handler: WildcardHandler<PresenceEvents> = (value, type) => {
          if (type === 'gone') reject(value);
          else if (set._synced) resolve(members(ch));
          else return;
          set._em.off(ANY, handler);
          set._readers--;
          syncChannel(ch);
        };
        set._em.on(ANY, handler);
        syncChannel(ch);
      });
    });

  const engine: Engine = {
    get _state() {
      return state;
    },
    get _retrying() {
      return retrying;
    },
    _on(type, handler) {
      em.on(type, handler);
      return () => em.off(type, handler);
    },
    _connect() {
      if (!Ctor) throw new PulseError('no_websocket', 'no WebSocket here: pass the `WebSocket` option');
      if (state === 'connected' || state === 'connecting' || state === 'disconnected' || state === 'suspended') {
        // Live already: retry now rather than wait for the timer.
        if (state !== 'connected' && state !== 'connecting' && !refreshing) dispatch('retry');
        return;
      }
      dispatch('connect');
    },
    _close: () => dispatch('close'),
    _channel: (name) => channels.get(name),
    _listen: listen,
    _publish: (name, event, data) =>
      settle(() => {
        const problem = publishProblem(name, event, data);
        if (problem) throw new PulseError(problem.code, problem.message);
        canWork();
        const text = encodeFrame({ action: 'publish', channel: name, event, data: data as JsonObject | null | undefined });
        return queue._add(text, name, state === 'connected');
      }),
    _enter: enter,
    _leave: leave,
    _get: get,
    _members(name) {
      const ch = channels.get(name);
      if (!ch) return { members: [], count: 0 };
      if (ch._em.all.size && !ch._track) {
        ch._track = true;
        syncChannel(ch);
      }
      return { members: members(ch), count: ch._presence._count };
    },
    _release(name) {
      const ch = channels.get(name);
      if (!ch) return;
      void leave(name);
      ch._presence._em.emit('gone', new PulseError('disconnected', `channel ${name} released`));
      ch._em.all.clear();
      ch._presence._em.all.clear();
      ch._track = false;
      ch._presence._readers = 0;
      syncChannel(ch);
    },
  };

  if (options.autoConnect !== false) engine._connect();
  return engine;
}
