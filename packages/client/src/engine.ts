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
  DEFAULT_AUTH_TIMEOUT_MS,
  encodeFrame,
  injectedOptionsProblem,
  isEndpoint,
  isRegion,
  checkServerFrame,
  presenceDataProblem,
  publishProblem,
  PulseError,
  REGION_ENDPOINTS,
  shownValue,
  systemClock,
  type ClientAction,
  type Clock,
  type ErrorCode,
  type JsonObject,
  type PresenceMember,
  type Region,
} from '@openkbs-pulse/protocol';
import WebSocketDefault from 'isomorphic-ws';
import { isTokenExpired, refreshToken, tokenProblem, type AuthCallback } from './auth.js';
import { backoffDelay, STABLE_CONNECTION_MS } from './backoff.js';
import { checkChannelName, createChannelState, forgetConnection, wantsPresence, wantsSubscription, type ChannelState } from './channel-state.js';
import { ANY, createEmitter, reporterFor, type Emitter, type Handler, type ListenerErrorHandler, type WildcardHandler } from './emitter.js';
import { applyPresence, clearPresence, inRun, newEntered, type PresenceEvents } from './presence.js';
import { createQueue, type PublishQueue } from './queue.js';
import { holdsWork, TRANSITIONS, type Effect, type EngineEvent, type EngineState } from './states.js';
import { MAX_WAITING, Transport, type DownInfo, type TransportHandlers, type WebSocketLikeConstructor } from './transport.js';

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
   * WebSocket endpoint (a `ws://` or `wss://` URL). An `authCallback`/`authUrl` answer that names
   * an `endpoint` comes first: that one is used from then on (until an answer names another).
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
  authUrl?: string | URL;
  /**
   * Longest wait for `authCallback`/`authUrl`, in ms; a refresh that takes longer fails with
   * `timeout` and is tried again with backoff.
   * @default 10000
   */
  authTimeoutMs?: number;
  /**
   * How long the client holds work while it has no connection, in ms, counted from the loss until
   * a pong answers the held work (a socket that opens and never answers is no connection). Past it the client is
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
   * Silence after which a `ping` is sent, in ms (after a stream of frames, up to a quarter more:
   * the receive path only flags traffic, which the heartbeat's timer reads).
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
  /**
   * The connection state changed, or `_retrying` did in the same state (`current === previous`:
   * `Pulse` shows a `connecting` after a failed attempt as `reconnecting`, see states.ts pulseState).
   */
  state: StateChange;
  /**
   * Every failure, once: an error frame from the service, a refused or failed connection attempt,
   * a close by the service with a reason, a failed token refresh, and every rejected promise of
   * work (publish, presence). Not `connection.once()`'s: a wait for a state, which the state change
   * that ends it already tells (with its reason, an `error` event, when it has one).
   */
  error: PulseError;
  /** A connection-level error that left the state as it was (Ably's `update`): an error frame, a malformed frame, a failed retry while `suspended`. */
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
  /**
   * Enters, or updates once entered; resolves when the service has it. `face`: the channel object
   * it was called on, as for `_listen`. `correction`: a change the client makes itself (a shared
   * connection's member taking the data of a tab still entered), never refused for the send
   * pace's bound.
   */
  _enter(name: string, data: unknown, face?: unknown, correction?: boolean): Promise<void>;
  /**
   * Leaves; resolves when the service has it (at once when not entered, unless the service's
   * membership is in doubt: see _assert). `again`: nobody keeps the membership any more (a
   * release; a shared connection's leader for a tab gone, or with no confirmed entry to go back
   * to), so a refusal tells the service the leave again instead of going back to the membership.
   */
  _leave(name: string, again?: boolean): Promise<void>;
  /** The members once a sync arrived (requests one when needed); `face` as for `_enter`. */
  _get(name: string, face?: unknown): Promise<PresenceMember[]>;
  /** Members and count known now; starts tracking presence of a subscribed channel unless `peek` (what JSON.stringify shows changes nothing). */
  _members(name: string, peek?: boolean): { members: PresenceMember[]; count: number };
  /** Drops every listener, leaves presence, unsubscribes and forgets the channel. */
  _release(name: string): void;
  /** Where errors thrown by the user's callbacks go (`onListenerError`, else console.error); never throws. */
  readonly _report: ListenerErrorHandler;
}

const DEFAULT_WEBSOCKET = WebSocketDefault as unknown as WebSocketLikeConstructor | undefined;
/** Most frames one round of presence re-asks and re-subscribes sends (see _reask). */
const REASK_BATCH = 100;
const RESOLVED = Promise.resolve();

/**
 * What a throw while checking the caller's data rejects with: our own PulseError as is; anything
 * else (a getter or Proxy trap of the data threw, possibly a string or `undefined`) an
 * `invalid_argument` with it as the cause.
 */
export const thrownError = (error: unknown): PulseError =>
  error instanceof PulseError ? error : new PulseError('invalid_argument', 'reading the data threw (see cause)', { cause: error });

/** The message of every `token_expired` the client raises itself. */
const EXPIRED = 'token expired: set authCallback or authUrl to refresh it, or mint a new one';
/**
 * Refusals that end in `failed` (no retry loop), with what to do about them, in a few words
 * (pulse.js has no room for the protocol's ERROR_FIX table; `error.docsUrl` leads to the whole
 * fix). An expired token is one when nothing can refresh it (checked before this table is).
 */
const FATAL: Partial<Record<ErrorCode, string>> = {
  invalid_token: 'mint it with getToken() for this kbId',
  // The local service's 403s: a foreign Origin (allowedOrigins), a non-loopback Host.
  forbidden: 'allow the Origin (allowedOrigins), use a loopback Host',
  kb_mismatch: 'use one kbId in getToken() and the client',
  pulse_not_enabled: 'run: openkbs-pulse enable',
  token_expired: EXPIRED,
};
const BAD_ENDPOINT = 'endpoint must be a ws:// or wss:// URL';
const isFatal = (code: ErrorCode | undefined): code is ErrorCode => !!code && Object.prototype.hasOwnProperty.call(FATAL, code);

/** A positive finite number option (a whole one when `whole`), or `invalid_argument`. */
function positive(options: EngineOptions, key: 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'maxQueueSize' | 'authTimeoutMs' | 'connectionStateTtlMs', fallback: number, whole?: boolean): number {
  const value = options[key] ?? fallback;
  if (typeof value === 'number' && value > 0 && value < Infinity && (!whole || Number.isInteger(value))) return value;
  throw new PulseError('invalid_argument', `${key} must be a positive ${whole ? 'whole ' : ''}number (got ${shownValue(value)})`);
}

/** Options that are functions (the protocol's injectedOptionsProblem says why they are checked). */
const FUNCTION_OPTIONS = ['authCallback', 'fetch', 'WebSocket', 'random', 'onListenerError'];

/**
 * Throws `token_expired` when the client is to connect now (`autoConnect`) with an expired token
 * and nothing (`authCallback`, `authUrl`) can refresh it: the constructor says so at once. Also
 * used by the shared-connection engine, whose own engine starts with `autoConnect: false`.
 */
export function checkExpiredAtStart(options: EngineOptions): void {
  if (options.autoConnect !== false && !options.authCallback && !options.authUrl && isTokenExpired(options.token, (options.clock ?? systemClock).now())) {
    throw new PulseError('token_expired', EXPIRED);
  }
}

/** Checks the options a client cannot work without, throwing `invalid_argument` (or the token's problem). */
function checkOptions(options: EngineOptions): void {
  if (typeof options?.kbId !== 'string' || !options.kbId) throw new PulseError('invalid_argument', 'kbId must be a non-empty string: new Pulse({ kbId, token })');
  const problem = tokenProblem(options.token, options.kbId);
  if (problem) throw problem;
  if (options.endpoint !== undefined && !isEndpoint(options.endpoint)) throw new PulseError('invalid_argument', BAD_ENDPOINT);
  if (options.region !== undefined && !isRegion(options.region)) throw new PulseError('invalid_argument', `unknown region ${shownValue(options.region)}`);
  // Else the service refuses the connect URL (HTTP 400), and the client would retry for ever.
  if (options.channel !== undefined) checkChannelName(options.channel);
  const injected = injectedOptionsProblem(options, FUNCTION_OPTIONS);
  if (injected) throw new PulseError('invalid_argument', injected);
  // A string or a URL object (its href), as fetch takes.
  const { authUrl } = options;
  if (authUrl != null && !(typeof authUrl === 'string' ? authUrl : (authUrl as Partial<URL>).href)) {
    throw new PulseError('invalid_argument', `authUrl must be a URL or a non-empty string (got ${shownValue(authUrl)})`);
  }
}

/**
 * The engine: one instance per client. A class, so that a client's state is one object of
 * fields and its behaviour lives on the prototype (apps, bots and servers hold many clients);
 * the only closures per client are the socket's handlers (transport.ts) and pending timers.
 */
class PulseEngine implements Engine, TransportHandlers, Record<Effect, (reason?: PulseError) => void> {
  _state: EngineState = 'initialized';
  _retrying = false;
  /** `_retrying` as the last `state` event told it. */
  private _toldRetrying = false;
  /** Suspended since the last connection: new work is rejected at once. */
  private _stale = false;
  private readonly _em: Emitter<EngineEvents>;
  private readonly _channels = new Map<string, ChannelState>();
  private readonly _queue: PublishQueue;
  private readonly _clock: Clock;
  private readonly _random: () => number;
  private readonly _intervalMs: number;
  private readonly _timeoutMs: number;
  private readonly _authTimeoutMs: number;
  private readonly _ttlMs: number;
  private readonly _canRefresh: boolean;
  readonly _report: ListenerErrorHandler;
  private readonly _debug: ((...args: unknown[]) => void) | undefined;
  private readonly _Ctor: WebSocketLikeConstructor | undefined;
  private _token: string;
  /** The endpoint the latest auth answer that named one gave: used from then on, before the option. */
  private _authEndpoint: string | undefined;
  private _transport: Transport | undefined;
  private _retryTimer: unknown;
  private _ttlTimer: unknown;
  /** Asks again, with backoff, for what the service refused or may have: subscriptions, memberships, presence lists (see _reask). */
  private _reaskTimer: unknown;
  private _reasks = 0;
  /** A presence request without a sync was reported in this run of failures (until a sync or a new connection). */
  private _presenceReported = false;
  private _attempt = 0;
  /** The token was replaced since the last connection that stayed up (or connect()): refused again, the client fails. */
  private _reissued = false;
  /** The token came from authCallback/authUrl and its first attempt is not over: the service judges it, not this device's clock. */
  private _fresh = false;
  /** The current token was refused for good, by the service or by open()'s checks (failed): connect() fetches a new one first. */
  private _tokenRefused = false;
  private _openedAt = 0;
  private _nextDelay = 0;
  private _hidden = false;
  /** While a token refresh runs: aborting it clears its timer and request (disconnect() must not wait for it). */
  private _refreshing: AbortController | undefined;
  /** The runtime hides why an upgrade failed (browsers), as the last transport found. */
  private _hidesRefusals = false;
  /** A failed attempt was reported since the last open or `connect()` (one error per run of failures). */
  private _reported = false;
  /** Bumped by connect / close / failure, so late async work (a token refresh) is ignored. */
  private _epoch = 0;
  /** Errors already emitted as `error` events (a rejection carrying one is not emitted again); made on the first. */
  private _emitted: WeakSet<object> | undefined;
  /** Events raised while one is handled, in order (see {@link _dispatch}). */
  private _pending: [EngineEvent, PulseError | undefined][] | undefined;

  constructor(private readonly _options: EngineOptions) {
    checkOptions(_options);
    this._clock = _options.clock ?? systemClock;
    this._random = _options.random ?? Math.random;
    this._intervalMs = positive(_options, 'heartbeatIntervalMs', 20_000);
    this._timeoutMs = positive(_options, 'heartbeatTimeoutMs', 10_000);
    this._authTimeoutMs = positive(_options, 'authTimeoutMs', DEFAULT_AUTH_TIMEOUT_MS);
    this._ttlMs = positive(_options, 'connectionStateTtlMs', 120_000);
    this._canRefresh = !!(_options.authCallback || _options.authUrl);
    this._token = _options.token;
    checkExpiredAtStart(_options);
    this._report = reporterFor(_options.onListenerError);
    this._debug = _options.debug ? (...args: unknown[]) => console.debug('[pulse]', ...args) : undefined;
    this._em = createEmitter<EngineEvents>(this._report);
    this._Ctor = _options.WebSocket ?? DEFAULT_WEBSOCKET ?? (globalThis.WebSocket as WebSocketLikeConstructor | undefined);
    this._queue = createQueue(
      positive(_options, 'maxQueueSize', 100, true),
      (text) => this._sendText(text),
      () => this._transport?._written ?? 0,
    );
    if (_options.autoConnect !== false) this._connect();
  }

  // ---- the public surface (Engine) -----------------------------------------------------------

  _on<K extends keyof EngineEvents>(type: K, handler: (event: EngineEvents[K]) => void): () => void {
    this._em.on(type, handler);
    return () => this._em.off(type, handler);
  }

  _connect(): void {
    if (!this._Ctor) throw new PulseError('no_websocket', 'no WebSocket here: pass the `WebSocket` option');
    // From a listener after close(), the queued close has not changed the state yet: this connect
    // is handled after it (the last call wins). Else it is decided now, by the state the caller
    // saw: not by a refusal the engine queued meanwhile, which the caller has yet to hear of.
    if (TRANSITIONS[this._state].connect || this._pending?.some(([event]) => event === 'close')) this._dispatch('connect');
    // Live already: retry now rather than wait for the timer.
    else this._wake();
  }

  _close(): void {
    this._dispatch('close');
  }

  _channel(name: string): ChannelState | undefined {
    return this._channels.get(name);
  }

  _listen(name: string, target: ListenTarget, type: string | typeof ANY, handler: Handler<never> | WildcardHandler<never>, face?: unknown): () => void {
    const ch = this._use(name, face);
    const emitter = (target === 'm' ? ch._em : ch._presence._em) as unknown as Emitter<Record<string, unknown>>;
    emitter.on(type as string, handler as Handler);
    this._sync(ch);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      emitter.off(type as string, handler as Handler);
      this._sync(ch);
    };
  }

  _publish(name: string, event: string, data: unknown): Promise<void> {
    return this._settle(() => {
      const problem = publishProblem(name, event, data);
      // The problem is the options too: its `cause` is what the data's getter or trap threw.
      if (problem) throw new PulseError(problem.code, problem.message, problem);
      this._canWork();
      this._roomToSend();
      const text = encodeFrame({ action: 'publish', channel: name, event, data: data as JsonObject | null | undefined });
      return this._queue._add(text, name, this._state === 'connected');
    });
  }

  _enter(name: string, data: unknown, face?: unknown, correction = false): Promise<void> {
    return this._settle(() => {
      const problem = presenceDataProblem(name, data);
      if (problem) throw new PulseError(problem.code, problem.message, problem);
      this._canWork();
      if (!correction) this._roomToSend();
      const ch = this._use(name, face);
      const set = ch._presence;
      const action = set._entered ? 'presence_update' : 'presence_enter';
      const entered = newEntered(set, data);
      const connected = this._state === 'connected';
      // Once presence is set up on this connection, send the change; else setting it up sends it.
      // (A refused subscribe does not undo that: the channel is subscribed again by itself.)
      if (connected && ch._presenceRequested) {
        this._quiet(ch);
        this._send({ action, channel: name, data: entered.data });
      } else this._sync(ch);
      // A barrier: resolves with the pong of a ping sent after the change.
      const done = this._queue._add('', name, connected);
      // Rejected means not done: the membership goes back to the last one the service confirmed
      // (none: not entered, and a later connection enters nothing), unless it changed again since.
      // The service may have applied it all the same (a refusal of the same ping window), so it is
      // told again on this connection, until it takes it (see _assert).
      done.then(
        // Not after a leave: what was left is not kept.
        () => void (inRun(set, entered) && (set._confirmed = entered)),
        () => {
          if (set._entered !== entered) return;
          const kept = (set._entered = set._confirmed);
          if (this._state === 'connected' && ch._presenceRequested) this._assert(ch, kept && 'presence_update');
          this._sync(ch);
        },
      );
      return done;
    });
  }

  _leave(name: string, again = false): Promise<void> {
    return this._settle(() => {
      const ch = this._channels.get(name);
      if (!ch) return RESOLVED;
      const set = ch._presence;
      const leaving = set._leaving;
      // A leave on its way: this one shares its fate (a resolved leave is never gone back on), and
      // after a release nobody keeps the membership to go back to.
      if (leaving && !set._entered) {
        leaving.again ||= again;
        return leaving.done;
      }
      // The service's membership in doubt (a refusal may have undone what it was told): a leave is
      // sent, though the client is not entered, and resolves only with its pong.
      const unsure = !!ch._put;
      if (!set._entered && !unsure) return RESOLVED;
      const kept = set._confirmed;
      set._entered = set._confirmed = undefined;
      let done = RESOLVED;
      // Not connected: the service dropped the member with the connection, and it is not re-entered.
      if (this._state === 'connected' && (ch._presenceRequested || unsure)) {
        this._quiet(ch);
        this._send({ action: 'presence_leave', channel: name });
        done = this._queue._add('', name, true);
        const sent = this._transport;
        const current = (set._leaving = { done, again });
        // Refused on a connection still up, with no change since: not done, as a refused enter
        // (docs/connection-states.md point 4). The membership goes back to the last confirmed one
        // (so a retried leave() sends again), and the service, which may have applied the leave
        // all the same, is told that membership, or with none (or after a release) the leave,
        // again, until it takes it (see _assert). A rejection because the connection went is no
        // refusal: the service dropped the member with it.
        const settled = (refused: boolean): void => {
          // A later leave (after an enter meanwhile) took its place: that one decides.
          const latest = set._leaving === current;
          if (latest) set._leaving = undefined;
          if (refused && latest && !set._entered && this._transport === sent) {
            const back = current.again ? undefined : kept;
            set._entered = set._confirmed = back;
            // With presence no longer set up on this connection, _sync sets it up (and enters).
            if (!back || ch._presenceRequested) this._assert(ch);
          }
          // Kept while the leave was on its way: forgotten now if nothing needs it.
          this._sync(ch);
        };
        done.then(() => settled(false), () => settled(true));
      }
      this._sync(ch);
      return done;
    });
  }

  _get(name: string, face?: unknown): Promise<PresenceMember[]> {
    return this._settle(() => {
      this._canWork();
      const ch = this._use(name, face);
      const set = ch._presence;
      if (set._synced && ch._presenceRequested) return Promise.resolve(members(ch));
      // Only a read that asks the service adds a frame.
      this._roomToSend();
      set._readers++;
      // A request in flight answers this read too; one answered without a sync (refused or
      // dropped) is made again.
      if (ch._presenceRequested && !ch._ask) this._ask(ch);
      return new Promise<PresenceMember[]>((resolve, reject) => {
        const handler: WildcardHandler<PresenceEvents> = (value, type) => {
          if (type === 'gone') reject(value);
          else if (set._synced) resolve(members(ch));
          else return;
          set._em.off(ANY, handler);
          set._readers--;
          this._sync(ch);
        };
        set._em.on(ANY, handler);
        this._sync(ch);
      });
    });
  }

  _members(name: string, peek?: boolean): { members: PresenceMember[]; count: number } {
    const ch = this._channels.get(name);
    if (!ch) return { members: [], count: 0 };
    if (!peek && ch._em.all.size && !ch._track) {
      ch._track = true;
      this._sync(ch);
    }
    return { members: members(ch), count: ch._presence._count };
  }

  _release(name: string): void {
    const ch = this._channels.get(name);
    if (!ch) return;
    void this._leave(name, true);
    ch._presence._em.emit('gone', new PulseError('disconnected', `channel ${name} released`));
    ch._em.all.clear();
    ch._presence._em.all.clear();
    ch._track = false;
    ch._presence._readers = 0;
    // Kept while its leave is on its way, the state no longer has the released object: a get makes a new one.
    ch._face = undefined;
    this._sync(ch);
  }

  /**
   * What `JSON.stringify` and Node's `util.inspect` (`console.log`) show of a client: its state,
   * never the token, the options or the socket (whose URL holds the token).
   */
  toJSON(): { state: EngineState } {
    return { state: this._state };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): { state: EngineState } {
    return this.toJSON();
  }

  // ---- the state machine ----------------------------------------------------------------

  /** Handles `event` (queued while another is handled, so listeners hear changes in order). */
  private _dispatch(event: EngineEvent, reason?: PulseError): void {
    if (this._pending) {
      this._pending.push([event, reason]);
      return;
    }
    const pending: [EngineEvent, PulseError | undefined][] = (this._pending = [[event, reason]]);
    try {
      for (let next = pending.shift(); next; next = pending.shift()) this._step(next[0], next[1]);
    } finally {
      this._pending = undefined;
    }
  }

  private _step(event: EngineEvent, reason: PulseError | undefined): void {
    const previous = this._state;
    const row = TRANSITIONS[previous][event];
    this._debug?.(event, previous, row, reason);
    if (!row) return;
    const [next, ...effects] = row.split(' ') as [EngineState, ...Effect[]];
    this._state = next;
    // Each effect is the method of that name (the table's words are the code's).
    for (const effect of effects) this[effect](reason);
    // A failed attempt can leave the state as it was (`connecting` refreshing its token) while it
    // makes `_retrying` true: what `Pulse` shows changed (`reconnecting`), so it is a state event.
    const told = this._toldRetrying;
    this._toldRetrying = this._retrying;
    if (next !== previous || told !== this._retrying) this._em.emit('state', { current: next, previous, reason });
    if (next === previous && reason) this._em.emit('update', reason);
    if (reason) this._emitError(reason);
  }

  /** Emits `error` (and remembers it was emitted). */
  private _emitError(error: PulseError): void {
    (this._emitted ??= new WeakSet()).add(error);
    this._em.emit('error', error);
  }

  /** A connection-level error: `update`, then `error`. */
  private _update(error: PulseError): void {
    this._em.emit('update', error);
    this._emitError(error);
  }

  /** Runs `work`, turning a throw into a rejection; failures are emitted; the promise is always handled. */
  private _settle<T>(work: () => Promise<T>): Promise<T> {
    let promise: Promise<T>;
    try {
      promise = work();
    } catch (error) {
      promise = Promise.reject(thrownError(error));
    }
    promise.catch((error: PulseError) => this._emitted?.has(error) || this._emitError(error));
    return promise;
  }

  // ---- effects: one method per effect word of the table (states.ts) ---------------------------

  watch(): void {
    this._epoch++;
    this._attempt = 0;
    this._reissued = false;
    this._refreshing?.abort();
    this._retrying = this._reported = this._stale = false;
    this._refreshing = undefined;
    this._listenBrowser(true);
  }

  resume(): void {
    this._openedAt = this._clock.now();
    // Presence re-asks start again from the first backoff step on each connection.
    this._reasks = 0;
    this._presenceReported = false;
    this._clock.clearTimeout(this._reaskTimer);
    this._reaskTimer = undefined;
    this._reported = this._stale = false;
    this._clock.clearTimeout(this._retryTimer);
    for (const ch of this._channels.values()) {
      forgetConnection(ch);
      ch._subscribed = ch._name === this._options.channel;
      ch._presence._synced = false;
    }
    for (const ch of this._channels.values()) this._sync(ch);
    this._queue._flush();
    // With work held, the TTL runs on until a pong (of the ping after it, or the heartbeat's), or
    // until nothing is held any more: a socket that opens and never answers is no connection.
    if (!this._holds()) this._clearTtl();
  }

  /** Whether work waits on the service: queued or unconfirmed changes, or presence reads. */
  private _holds(): boolean {
    let held = this._queue._holds();
    for (const ch of this._channels.values()) held ||= ch._presence._readers > 0;
    return held;
  }

  retry(): void {
    this._retrying = true;
    this._clock.clearTimeout(this._retryTimer);
    this._retryTimer = this._clock.setTimeout(() => this._dispatch('retry'), this._nextDelay);
    this._startTtl();
  }

  suspend(reason?: PulseError): void {
    this._stale = true;
    this._rejectHeld(reason!, true);
  }

  fail(reason?: PulseError): void {
    this._stop();
    this._dropTransport();
    this._rejectHeld(reason!);
  }

  shutdown(): void {
    this._stop();
    const error = new PulseError('disconnected', 'disconnect() came first');
    if (this._rejectHeld(error)) this._emitError(error);
    if (this._transport) this._dropTransport();
    else this._dispatch('ended');
  }

  /** Stops everything live: late async work, timers, browser listeners. */
  _stop(): void {
    // Closed or failed is not suspended: later work rejects with not_connected, not timeout. A
    // token fresh from the auth source was tried (or not): a later connect() judges it again.
    this._stale = this._fresh = false;
    this._epoch++;
    this._refreshing?.abort();
    this._clearTimers();
    this._listenBrowser(false);
  }

  /**
   * Rejects everything held (queue, presence reads), forgetting what the server knew. Returns
   * whether anything was rejected. `suspended`: the member lists stay, as the last known ones, and
   * the next sync gives what changed meanwhile as events (as Ably keeps its presence map through
   * SUSPENDED); `disconnect()` and a failure forget them.
   */
  _rejectHeld(error: PulseError, suspended?: boolean): boolean {
    let rejected = this._queue._down(error) > 0;
    this._forgetConnection();
    for (const ch of this._channels.values()) {
      ch._presence._synced = false;
      if (!suspended) clearPresence(ch._presence);
      if (ch._presence._readers) rejected = true;
      ch._presence._em.emit('gone', error);
    }
    return rejected;
  }

  /**
   * The connection is gone, and what it knew of each channel; a channel nothing needs any more
   * (kept only while its unsubscribe was unanswered) is forgotten now, not at the next connection.
   */
  private _forgetConnection(): void {
    for (const ch of this._channels.values()) {
      forgetConnection(ch);
      if (!wantsSubscription(ch) && ch._name !== this._options.channel) this._channels.delete(ch._name);
    }
  }

  _dropTransport(): void {
    const current = this._transport;
    this._transport = undefined;
    current?.close();
  }

  private _clearTimers(): void {
    this._clock.clearTimeout(this._retryTimer);
    this._clock.clearTimeout(this._reaskTimer);
    this._reaskTimer = undefined;
    this._clearTtl();
  }

  private _clearTtl(): void {
    this._clock.clearTimeout(this._ttlTimer);
    this._ttlTimer = undefined;
  }

  /**
   * Counts `connectionStateTtlMs` from the loss until a pong. While a socket is open and no pong
   * came yet, it checks again a heartbeat timeout later: by then a pong came, or the heartbeat
   * dropped the socket and the `ttl` event finds the client disconnected.
   */
  private _startTtl(delay = this._ttlMs): void {
    this._ttlTimer ??= this._clock.setTimeout(() => {
      this._ttlTimer = undefined;
      // Connected: done once nothing is held; else a heartbeat timeout more (a pong or a drop comes by then).
      if (this._state === 'connected') return void (this._holds() && this._startTtl(this._timeoutMs));
      this._dispatch('ttl', new PulseError('timeout', `no connection for ${this._ttlMs / 1000} s (connectionStateTtlMs)`));
    }, delay);
  }

  // ---- connecting ---------------------------------------------------------------------------

  /** Where to connect: the auth answer's endpoint, the option, the token's claim, the region's (AuthResult). */
  private _endpoint(): string {
    const options = this._options;
    return this._authEndpoint ?? options.endpoint ?? decodeTokenClaims(this._token)?.endpoint ?? REGION_ENDPOINTS[options.region ?? 'us-east-1'];
  }

  open(): void {
    this._clock.clearTimeout(this._retryTimer);
    this._dropTransport();
    this._startTtl();
    const { kbId, channel } = this._options;
    const token = this._token;
    // This token was refused (and the client failed): a new one first (until one came).
    if (this._tokenRefused) return this._dispatch('expired');
    const problem = tokenProblem(token, kbId);
    if (problem) {
      // Only a token from the auth source can fail here (the constructor checked the option's):
      // an answer that is no token of this kbId (an expired session's login page served with
      // 200) is refused as one the service refused, so connect() asks the source again.
      this._tokenRefused = this._canRefresh;
      return this._refuseSoon(problem);
    }
    // A token fresh from authCallback/authUrl is tried whatever this device's clock says of it (a
    // clock ahead of the service's would refuse every fresh token, and refresh for ever): the
    // service judges it, and refusing it again ends in `failed` (see _down).
    if (!this._fresh && isTokenExpired(token, this._clock.now())) {
      return this._canRefresh ? this._dispatch('expired') : this._refuseSoon(new PulseError('token_expired', EXPIRED));
    }
    let url: string;
    try {
      url = buildConnectUrl(this._endpoint(), { kbId, token, channel });
    } catch (cause) {
      return this._refuseSoon(new PulseError('invalid_argument', BAD_ENDPOINT, { cause }));
    }
    this._transport = new Transport(this._Ctor!, url, this._clock, this._intervalMs, this._timeoutMs, this);
  }

  /**
   * A refusal found before any socket, told from a timer (`_stop` clears it) as the transport
   * tells a constructor that throws: told inside the connect() that asked, a `failed` listener
   * calling connect() looped for ever without yielding.
   */
  private _refuseSoon(reason: PulseError): void {
    this._retryTimer = this._clock.setTimeout(() => this._dispatch('refused', reason), 0);
  }

  auth(): void {
    const epoch = this._epoch;
    this._dropTransport();
    refreshToken(this._options, this._clock, this._authTimeoutMs, (this._refreshing = new AbortController())).then(
      (fresh) => {
        if (epoch !== this._epoch) return;
        this._refreshing = undefined;
        if (!fresh) return this._dispatch('refused', new PulseError('token_expired', EXPIRED));
        this._token = fresh.token;
        // An answer without one keeps the last one named ("from now on", AuthResult).
        this._authEndpoint = fresh.endpoint ?? this._authEndpoint;
        this._fresh = this._reissued = true;
        this._tokenRefused = false;
        // The first retry after a refresh is immediate; a token that keeps failing backs off.
        if (this._attempt++ === 0) return this._dispatch('authed');
        this._nextDelay = backoffDelay(this._attempt - 1, this._random);
        this._dispatch('lost');
      },
      (cause: unknown) => {
        if (epoch !== this._epoch) return;
        this._refreshing = undefined;
        this._nextDelay = backoffDelay(this._attempt++, this._random);
        const code = (cause as PulseError)?.code === 'timeout' ? 'timeout' : 'invalid_response';
        this._dispatch('lost', new PulseError(code, `token refresh failed: ${(cause as Error)?.message ?? cause}`, { cause }));
      },
    );
  }

  // ---- transport handlers (TransportHandlers) -----------------------------------------------

  _opened(): void {
    // The service took the token: this device's clock judges it again from now on.
    this._fresh = false;
    this._dispatch('opened');
  }

  _closed(): void {
    this._dispatch('ended');
  }

  _pingNow(): void {
    this._queue._ping();
  }

  /** Why the socket went down, as an event. */
  _down(info: DownInfo): void {
    this._hidesRefusals = this._transport?.hidesRefusals ?? this._hidesRefusals;
    this._transport = undefined;
    // Unconfirmed work goes back to the front of the queue, ahead of anything published from now on.
    this._queue._down();
    this._forgetConnection();
    const now = this._clock.now();
    if (info.opened && now - this._openedAt >= STABLE_CONNECTION_MS) {
      this._attempt = 0;
      this._reissued = false;
    }
    // Not for a token fresh from the auth source (this device's clock may be what is wrong),
    // unless the runtime hides why it failed (browsers): then a token that looks expired and
    // never connected is taken as refused for it, else an expired answer would be refreshed and
    // tried for ever as a network error. A clock ahead of the service's that also cannot reach
    // it ends in `failed` there; connect() starts again with a new token.
    const expired = (!this._fresh || this._hidesRefusals) && isTokenExpired(this._token, now);
    this._fresh = false;
    let code = info.errorCode;
    const status = info.status;
    if (status === 401 || status === 403) {
      if (!isFatal(code)) code = status === 403 ? 'forbidden' : expired ? 'token_expired' : 'invalid_token';
    } else if (info.code === CLOSE_CODES.tokenExpired || (!info.opened && expired)) {
      // Browsers hide the upgrade's status: a socket that never opened with an expired token is refused for it.
      code = 'token_expired';
    } else if (!code) {
      code = info.code === CLOSE_CODES.connectionTtl ? 'connection_expired' : info.code === CLOSE_CODES.slowConsumer ? 'slow_consumer' : undefined;
    }
    // A loss: a refresh from here is a reconnect (a token found expired before the first attempt is not).
    this._retrying = true;
    // A token the service refused (expired, or invalid: a rotated signing key) is replaced once
    // from authCallback/authUrl; refused again before a connection stayed up, the client fails
    // with why, and the next connect() starts with a fresh token (no loop of refreshes).
    if ((code === 'token_expired' || code === 'invalid_token') && this._canRefresh) {
      const refusal = this._refusal(code, info);
      if (this._reissued) {
        this._tokenRefused = true;
        return this._dispatch('refused', refusal);
      }
      // An expired token is the normal end of one; an invalid one is worth telling.
      return this._dispatch('expired', code === 'invalid_token' ? refusal : undefined);
    }
    if (isFatal(code)) return this._dispatch('refused', this._refusal(code, info));
    // Every close backs off; only a connection that stayed up resets the schedule (above).
    this._nextDelay = backoffDelay(this._attempt++, this._random);
    let reason: PulseError | undefined = code && this._refusal(code, info);
    if (!info.opened) {
      reason = this._reported ? undefined : (reason ?? this._cannotConnect(info));
      this._reported = true;
    }
    this._dispatch('lost', reason);
  }

  /** The endpoint as messages show it: never the token. */
  private _shown(): string {
    return this._endpoint().split('?')[0]!;
  }

  private _refusal(code: ErrorCode, info: DownInfo): PulseError {
    const detail = `${info.status ? `HTTP ${info.status} ` : ''}${code}${info.message ? `: ${info.message}` : ''}`;
    const fix = isFatal(code) ? `: ${FATAL[code]}` : '';
    return new PulseError(code, `${this._shown()} ${info.opened ? 'closed' : 'refused'} the connection (${detail})${fix}`, { statusCode: info.status, cause: info.cause });
  }

  private _cannotConnect(info: DownInfo): PulseError {
    const why = this._hidesRefusals
      ? ' (browsers hide why: check that the service runs, the kbId and the token)'
      : `: ${(info.cause as Error)?.message ?? 'closed'} (is the service running at this endpoint?)`;
    return new PulseError('network_error', `cannot connect to ${this._shown()}${why}`, { cause: info.cause });
  }

  /** Starts or stops listening to `online` and `visibilitychange` (browsers; the engine is the listener). */
  private _listenBrowser(on: boolean): void {
    const method = on ? 'addEventListener' : 'removeEventListener';
    const g = globalThis as unknown as Partial<Window & typeof globalThis>;
    g[method]?.('online', this);
    g.document?.[method]?.('visibilitychange', this);
    // A page that starts hidden (a background tab): its first `visible` is a change too.
    this._hidden = isHidden();
  }

  /** Online again, or visible again after hidden: wake up. */
  handleEvent(event: Event): void {
    if (event.type !== 'online') {
      const hidden = this._hidden;
      this._hidden = isHidden();
      if (this._hidden || !hidden) return;
    }
    this._wake();
  }

  /** Checks the connection now when connected, else retries now (unless a token refresh runs). */
  private _wake(): void {
    if (this._state === 'connected') this._transport?.check();
    // Not while a token refresh or an attempt is in flight (a retry would start it again).
    else if (!this._refreshing && !this._transport) this._dispatch('retry');
  }

  // ---- frames -------------------------------------------------------------------------------

  /** Hands `text` to the socket if it is open: its frame number (see Transport.send), 0 when it is not. */
  private _sendText(text: string): number {
    const sent = this._transport?.send(text) ?? 0;
    if (sent) this._debug?.('->', text);
    return sent;
  }

  private _send(action: ClientAction): number {
    return this._sendText(encodeFrame(action));
  }

  /**
   * Every frame is checked by the protocol's rules (`checkServerFrame`, the compact form of
   * `parseServerFrame`); a bad one is reported and nothing of it reaches listeners.
   */
  _frame(data: unknown): void {
    this._debug?.('<-', data);
    const frame = checkServerFrame(data);
    if (!frame) return this._update(new PulseError('invalid_message', 'ignored a malformed frame from the service (debug: true logs it)'));
    if (frame.type === 'message') this._channels.get(frame.channel)?._em.emit(frame.data.type, frame);
    else if (frame.type === 'presence') {
      const ch = this._channels.get(frame.channel);
      // Not for a channel whose presence is not asked for now: a sync answering a request made
      // before tracking stopped would mark a list synced that nothing keeps up to date.
      if (ch?._presenceRequested) applyPresence(ch._presence, frame);
    } else if (frame.type === 'pong') {
      this._transport?.ponged();
      this._queue._pong();
      // The connection answers: the time without one is over.
      this._clearTtl();
    } else {
      const error = new PulseError(frame.code, `the service refused an action${frame.channel ? ` on "${frame.channel}"` : ''}: ${frame.error}`);
      this._update(error);
      this._queue._refuse(error, frame.channel);
    }
  }

  // ---- channels -----------------------------------------------------------------------------

  /**
   * The channel in use named `name`, put in use (created) when it is not. The face object that
   * first puts it in use (listens, enters, reads presence) is the one `channel(name)` returns
   * while it is in use: the app's own object, not one made by a later get.
   */
  private _use(name: string, face?: unknown): ChannelState {
    let ch = this._channels.get(name);
    if (!ch) {
      this._channels.set(name, (ch = createChannelState(name, this._report)));
      // The connect URL's channel is subscribed by the service at once.
      ch._subscribed = this._state === 'connected' && name === this._options.channel;
    }
    ch._face ??= face;
    return ch;
  }

  /**
   * Call after adding or removing listeners or presence: (un)subscribes on the server as needed,
   * sets presence up, and forgets the channel once nothing needs it.
   */
  private _sync(ch: ChannelState): void {
    // Tracking started by reading members/count lasts while the channel has message listeners.
    if (!ch._em.all.size) ch._track = false;
    const presence = wantsPresence(ch);
    if (!presence) {
      clearPresence(ch._presence);
      ch._presenceRequested = false;
      if (ch._ask) this._queue._cancel(ch._ask);
      ch._ask = undefined;
    }
    const wanted = wantsSubscription(ch);
    const channel = ch._name;
    if (this._state === 'connected') {
      if (wanted && !ch._subscribed) {
        ch._subscribed = true;
        this._subscribe(ch);
      } else if (!wanted && ch._subscribed) {
        ch._subscribed = false;
        this._subscribe(ch, 'unsubscribe');
      }
      if (presence && !ch._presenceRequested) {
        ch._presenceRequested = true;
        // Checked, as every membership the client tells: refused, it is told again.
        if (ch._presence._entered) this._assert(ch);
        this._ask(ch);
      }
    }
    // Forgotten once idle, its unsubscribe taken and the service's membership settled (a leave on
    // its way may be refused and gone back on; a doubtful one is told again); not the connect
    // URL's channel, whose state says whether the service's subscription from the URL still stands
    // (else a subscribe after an unsubscribe sent none).
    const settled = !ch._sub && !ch._resub && !ch._put && !ch._presence._leaving;
    if (!wanted && settled && channel !== this._options.channel && this._channels.get(channel) === ch) this._channels.delete(channel);
  }

  /**
   * Tells the service the membership the client wants of `ch` now (connected): entered with its
   * data (`presence_enter`, or `action`), or not (`presence_leave`), checked as a request is (see
   * _ask). A refusal of its channel, or of none, before its pong may have been its own: it is
   * told again with the re-ask backoff (what is wanted then: level-triggered, so a run of
   * refusals such as rate_limited never leaves the client and the service disagreeing, and never
   * loops), until the service takes it, a change of the app's is sent in its place (checked
   * itself), or the connection goes (a new one enters the wanted membership anyway).
   */
  private _assert(ch: ChannelState, action: 'presence_enter' | 'presence_update' = 'presence_enter'): void {
    const channel = ch._name;
    const entered = ch._presence._entered;
    this._quiet(ch);
    const frame = encodeFrame(entered ? { action, channel, data: entered.data } : { action: 'presence_leave', channel });
    const request = (ch._put = this._queue._ask(frame, channel, (refusal) => {
      if (ch._put !== request) return;
      ch._put = refusal && true;
      this._answered(refusal);
      this._sync(ch);
    }));
  }

  /** Forgets the membership told to the service in doubt: a newer frame tells it (and is checked). */
  private _quiet(ch: ChannelState): void {
    this._queue._cancel(ch._put);
    ch._put = undefined;
  }

  /** A re-asked frame's answer: refused, another round with backoff; taken, later failures start from the first step (unless a round is to come). */
  private _answered(refusal: PulseError | undefined): void {
    if (refusal) this._reaskLater();
    else if (!this._reaskTimer) this._reasks = 0;
  }

  /**
   * Asks for the presence set of `ch` (connected). The sync comes before the pong of the ping
   * after the request; without one by then, the request was refused (the last `error` frame of
   * the channel says why) or dropped, and the readers waiting for it reject. Only the channel's
   * current request counts (tracking may stop and start again while an older one is in flight).
   */
  private _ask(ch: ChannelState): void {
    const channel = ch._name;
    const request = (ch._ask = this._queue._ask(encodeFrame({ action: 'presence', channel }), channel, (refusal) => {
      if (ch._ask !== request) return;
      ch._ask = undefined;
      // Answered: later failures start from the first backoff step again, and are reported again.
      if (ch._presence._synced) {
        // A refused re-ask with an earlier list standing is no answer: the backoff goes on.
        if (!refusal && !this._reaskTimer) this._reasks = 0;
        this._presenceReported = false;
        return;
      }
      const error = refusal ?? new PulseError('invalid_response', `no presence sync for "${channel}" came before the pong that followed the request`);
      // One error event per run of failures (until a sync or a new connection), not one per
      // channel and retry; readers still reject with theirs.
      if (!this._presenceReported && !this._emitted?.has(error)) this._emitError(error);
      this._presenceReported = true;
      ch._presence._em.emit('gone', error);
      // Listeners still want the list: asked again with backoff (a refusal such as rate_limited passes).
      this._reaskLater();
    }));
  }

  /**
   * Subscribes (or unsubscribes) `ch` (connected). The service answers either with nothing, but
   * refuses it with an `error` frame before the pong of a ping after it (`rate_limited`,
   * `limit_exceeded`): an error frame of its channel, or of none, in that window counts as its
   * refusal (it may have been another frame's: sending it again does no harm), and it is sent
   * again with backoff (`_resub`), while the channel still wants it. A refused subscribe still
   * counts as subscribed meanwhile, so letting the channel go sends an unsubscribe, and no
   * presence change of the channel came, so its list is asked for again too. A channel let go is
   * forgotten once its unsubscribe is taken: until then the service may still send its messages.
   */
  private _subscribe(ch: ChannelState, action: 'subscribe' | 'unsubscribe' = 'subscribe'): void {
    const channel = ch._name;
    ch._resub = false;
    this._queue._cancel(ch._sub);
    const request = (ch._sub = this._queue._ask(encodeFrame({ action, channel }), channel, (refusal) => {
      if (ch._sub !== request) return;
      ch._sub = undefined;
      ch._resub = !!refusal;
      this._answered(refusal);
      if (action === 'unsubscribe') this._sync(ch);
    }));
  }

  private _reaskLater(): void {
    this._reaskTimer ??= this._clock.setTimeout(() => this._reask(), backoffDelay(this._reasks++, this._random));
  }

  /**
   * Subscribes again the channels whose subscribe was refused, tells the service again the
   * membership of those where a refusal may have undone it, and asks again for the presence of
   * those that track it and got no sync on this connection.
   */
  private _reask(): void {
    this._reaskTimer = undefined;
    // A refused subscribe of a channel still wanted, or a refused unsubscribe of one still let go.
    const resub = (ch: ChannelState): boolean => ch._resub && ch._subscribed === wantsSubscription(ch);
    const reask = (ch: ChannelState): boolean => ch._presenceRequested && !ch._ask && wantsPresence(ch) && (resub(ch) || !ch._presence._synced);
    // A membership in doubt, not being told already.
    const reput = (ch: ChannelState): boolean => ch._put === true;
    const due = this._state === 'connected' ? [...this._channels.values()].filter((ch) => resub(ch) || reask(ch) || reput(ch)) : [];
    // At most REASK_BATCH frames a round: a burst past the service's frame allowance would be
    // refused again, whole (an error frame naming no channel counts against every request).
    let budget = REASK_BATCH;
    let next = 0;
    for (; next < due.length; next++) {
      const ch = due[next]!;
      // A re-subscribed channel's list is asked for again too: its changes did not come meanwhile.
      const again = reask(ch);
      const sub = resub(ch);
      const put = reput(ch);
      if (budget < +sub + +again + +put) break;
      budget -= +sub + +again + +put;
      if (sub) this._subscribe(ch, ch._subscribed ? 'subscribe' : 'unsubscribe');
      if (put) this._assert(ch);
      if (again) this._ask(ch);
      // To the end of the line: channels refused every time do not starve the others.
      if (this._channels.delete(ch._name)) this._channels.set(ch._name, ch);
    }
    // More left: the next round; nothing asked: the backoff starts over.
    if (next < due.length) this._reaskLater();
    else if (!due.length) this._reasks = 0;
  }

  /**
   * Throws when MAX_WAITING frames already wait for the send pace: a loop publishing or updating
   * presence faster than the pace would otherwise hold ever more frames, each waiting longer.
   */
  private _roomToSend(): void {
    if ((this._transport?._waiting() ?? 0) >= MAX_WAITING) {
      throw new PulseError('queue_full', `${MAX_WAITING} frames already wait for the send pace (${MAX_WAITING / 60} a second, under the service rate limit): publish or update presence less often`);
    }
  }

  /** Throws unless work can be held or sent now: connected, or not for long. */
  private _canWork(): void {
    if (holdsWork(this._state) && !this._stale) return;
    throw this._stale
      ? new PulseError('timeout', `no connection for over ${this._ttlMs / 1000} s: try again once connected`)
      : new PulseError('not_connected', `not connected (${this._state}): call connect()`);
  }
}

const isHidden = (): boolean => globalThis.document?.visibilityState === 'hidden';

const members = (ch: ChannelState): PresenceMember[] => [...ch._presence._byId.values()];

/** Creates the engine (and connects unless `autoConnect` is false). Throws a `PulseError` on a bad option or token. */
export const createEngine = (options: EngineOptions): Engine => new PulseEngine(options);
