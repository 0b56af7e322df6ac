/**
 * The one connection engine behind both public faces (`Pulse` and `Pulse.Realtime`): state
 * machine, transport, subscriptions, presence, outgoing queue and token refresh.
 * Written as a closure so internal names minify away in `pulse.js`.
 * @module
 */
import {
  buildConnectUrl,
  channelNameProblem,
  CLOSE_CODES,
  decodeTokenClaims,
  encodeFrame,
  eventNameProblem,
  isErrorCode,
  isRegion,
  MAX_MESSAGE_BYTES,
  publishDataProblem,
  PulseError,
  REGION_ENDPOINTS,
  systemClock,
  type ClientAction,
  type Clock,
  type ErrorCode,
  type JsonObject,
  type MessageFrame,
  type PresenceFrame,
  type Region,
} from '@openkbs-pulse/protocol';
import WebSocketDefault from 'isomorphic-ws';
import { createEmitter, type ANY, type Emitter, type Handler, type WildcardHandler } from './emitter.js';
import { isTokenExpired, refreshToken, type AuthCallback } from './auth.js';
import { backoffDelay, STABLE_CONNECTION_MS } from './backoff.js';
import { createChannelState, wantsPresence, type ChannelState } from './channel-state.js';
import { applyPresence, clearPresence } from './presence.js';
import { createQueue } from './queue.js';
import { SCRIPT_TAG } from './script-tag.js';
import { STATES, type ConnectionState } from './states.js';
import { openTransport, type DownInfo, type Transport, type WebSocketLikeConstructor } from './transport.js';

/** Presence calls of one channel. */
export interface PresenceCalls {
  /** Enters the presence set (re-entered with the latest data after every reconnect). */
  enter(data?: unknown): Promise<void>;
  /** Replaces this connection's member data (enters when not entered yet). */
  update(data?: unknown): Promise<void>;
  /** Leaves the presence set. */
  leave(): Promise<void>;
}

/** Options shared by `Pulse` and `Pulse.Realtime`. */
export interface EngineOptions {
  /** Your knowledge base id (a non-empty string; a bad option throws `invalid_argument`). */
  kbId: string;
  /** JWT from your backend (`getToken`). */
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
   * Time to wait for any frame after a `ping` (or for the socket to open, after the interval) before
   * replacing the connection, in ms.
   * @default 10000
   */
  heartbeatTimeoutMs?: number;
  /**
   * Publishes kept while not connected (including unconfirmed ones put back when the connection
   * went down); more are rejected with `queue_full`.
   * @default 100
   */
  maxQueueSize?: number;
}

/** A state change. */
export interface StateChange {
  /** The new state. */
  current: ConnectionState;
  /** The state before. */
  previous: ConnectionState;
  /** The error that caused it, if any. */
  reason?: PulseError;
}

/** Engine events. */
export type EngineEvents = {
  /** The connection state changed. */
  state: StateChange;
  /**
   * An error frame from the service, a refused or failed connection attempt, a close by the
   * service with a reason, or a failed token refresh. Every state change `reason` is also emitted here.
   */
  error: PulseError;
};

/** @internal The engine both faces adapt. */
export interface Engine {
  readonly state: ConnectionState;
  on<K extends keyof EngineEvents>(type: K, handler: (event: EngineEvents[K]) => void): () => void;
  connect(): void;
  close(): void;
  /** The state of channel `name` (created on first use). */
  channel(name: string): ChannelState;
  /** Adds `handler` to one of the channel's emitters (then syncs); returns its removal (which syncs too). */
  listen<E extends Record<string, unknown>, K extends keyof E>(ch: ChannelState, em: Emitter<E>, type: K, handler: Handler<E[K]>): () => void;
  /** The same for every event of the emitter ({@link ANY}). */
  listen<E extends Record<string, unknown>>(ch: ChannelState, em: Emitter<E>, type: typeof ANY, handler: WildcardHandler<E>): () => void;
  /** The presence calls both faces expose: `enter`, `update` (the same as enter once entered) and `leave`. */
  presence(ch: ChannelState): PresenceCalls;
  publish(ch: ChannelState, event: string, data: JsonObject | null | undefined): Promise<void>;
  /** Drops every listener of the channel, leaves presence, unsubscribes on the server and rejects pending presence reads. */
  release(ch: ChannelState): void;
}

const DEFAULT_WEBSOCKET = WebSocketDefault as unknown as WebSocketLikeConstructor | undefined;

/** What publish, enter and leave answer when done at once (one shared settled promise). */
const RESOLVED = Promise.resolve();

/** Creates the engine (and connects unless `autoConnect` is false). Throws `invalid_argument` on a bad option. */
export function createEngine(options: EngineOptions): Engine {
  // Bad options throw here, typed, instead of failing later (a TypeError from `new URL`, a retry loop).
  const invalid = (key: string): never => {
    throw new PulseError('invalid_argument', `invalid option ${key}`);
  };
  /** A numeric option: positive and finite. */
  const num = (key: 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'maxQueueSize', fallback: number): number => {
    const value = options[key] ?? fallback;
    return value > 0 && value < Infinity ? value : invalid(key);
  };
  if (!isName(options.kbId)) invalid('kbId');
  if (!isName(options.token)) invalid('token');
  if (options.endpoint !== undefined && !/^wss?:\/\/[^/?#]/i.test(options.endpoint)) invalid('endpoint');
  if (options.region !== undefined && !isRegion(options.region)) invalid('region');
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const intervalMs = num('heartbeatIntervalMs', 20_000);
  const timeoutMs = num('heartbeatTimeoutMs', 10_000);
  const debug = options.debug
    ? (...args: unknown[]) => console.debug('[pulse]', ...args.filter((arg) => arg !== undefined))
    : undefined;
  const em = createEmitter<EngineEvents>();
  const channels = new Map<string, ChannelState>();
  const g = globalThis as unknown as Partial<Window & typeof globalThis>;
  const doc = g.document;

  const Ctor = options.WebSocket ?? DEFAULT_WEBSOCKET ?? (g.WebSocket as WebSocketLikeConstructor | undefined);
  let token = options.token;
  let authEndpoint: string | undefined;
  let state: ConnectionState = 'disconnected';
  let transport: Transport | undefined;
  let retryTimer: unknown;
  let attempt = 0;
  let openedAt = 0;
  let hidden = false;
  /** A token refresh is running: wake-ups must not open a socket with the old token. */
  let refreshing = false;
  /** A failed attempt was reported (`network_error`) since the last open or `connect()`. */
  let reported = false;
  /** Bumped by connect()/close() so late async work (token refresh) is ignored. */
  let epoch = 0;

  const endpoint = (): string =>
    options.endpoint ??
    authEndpoint ??
    decodeTokenClaims(token)?.endpoint ??
    REGION_ENDPOINTS[options.region ?? 'us-east-1'];

  /**
   * Moves to `next`. `before` runs once the state is set but before listeners hear of it: on
   * open, subscriptions and the queue go out first, so whatever a `connected` listener does
   * (publish, enter, even throw) comes after them.
   */
  const setState = (next: ConnectionState, reason?: PulseError, before?: () => void): void => {
    if (next === state) return;
    const previous = state;
    state = next;
    before?.();
    debug?.('state', previous, '->', next, reason);
    em.emit('state', { current: next, previous, reason });
  };

  /** Hands `text` to the socket if it is open; `false` when it is not. */
  const sendText = (text: string): boolean => {
    const sent = transport?.send(text) === true;
    if (sent) debug?.('->', text);
    return sent;
  };
  const send = (action: ClientAction): void => {
    sendText(encodeFrame(action));
  };
  const queue = createQueue(num('maxQueueSize', 100), sendText);

  /**
   * Call after adding or removing listeners or presence: (un)subscribes on the server as needed.
   * A channel that no longer tracks presence forgets its members (a later presence listener
   * requests a fresh sync).
   */
  const syncChannel = (ch: ChannelState): void => {
    const presence = wantsPresence(ch);
    if (!presence) {
      clearPresence(ch.presence);
      ch.presenceRequested = false;
    }
    if (!STATES[state].sends) return;
    const wanted = presence || ch.em.all.size > 0;
    if (wanted && !ch.subscribed) {
      ch.subscribed = true;
      send({ action: 'subscribe', channel: ch.name });
    } else if (!wanted && ch.subscribed) {
      ch.subscribed = false;
      send({ action: 'unsubscribe', channel: ch.name });
    }
    if (presence && !ch.presenceRequested) {
      ch.presenceRequested = true;
      const entered = ch.presence.entered;
      if (entered) send({ action: 'presence_enter', channel: ch.name, data: entered.data });
      send({ action: 'presence', channel: ch.name });
    }
  };

  /**
   * Forgets what the server knew: on a new connection only the connect URL's channel is
   * subscribed. Without `error` (a new connection) the last members stay until the new sync;
   * with it (close, failure) they are dropped and pending presence reads reject with it.
   */
  const resetChannels = (error?: PulseError): void => {
    for (const ch of channels.values()) {
      ch.subscribed = !error && ch.name === options.channel;
      ch.presenceRequested = ch.presence.synced = false;
      if (error) {
        clearPresence(ch.presence);
        ch.presence.em.emit('gone', error);
      }
    }
  };

  /** A rejection when the frame `text` is over the service's limit. */
  const tooLarge = (text: string): Promise<never> | undefined => {
    // At most 3 UTF-8 bytes per UTF-16 unit: short frames (nearly all) are never encoded.
    const size = text.length * 3 > MAX_MESSAGE_BYTES ? new TextEncoder().encode(text).length : 0;
    if (size > MAX_MESSAGE_BYTES) {
      return Promise.reject(new PulseError('message_too_large', `frame is ${size} bytes (max ${MAX_MESSAGE_BYTES})`));
    }
    return undefined;
  };

  const onOpen = (): void => {
    openedAt = clock.now();
    reported = false;
    resetChannels();
    setState('connected', undefined, () => {
      for (const ch of channels.values()) syncChannel(ch);
      queue.flush();
    });
  };

  /**
   * Every incoming frame is either valid (the rules of `parseServerFrame`) and dispatched, or
   * rejected with one `invalid_message` error: nothing of it reaches listeners or presence state.
   * Checked inline rather than with `parseServerFrame`: the message path stays one `JSON.parse`
   * plus a few `typeof` checks, and pulse.js stays small. The checks run inside the `try`, so a
   * read that does not fit the shape (a member that is `null`, `members` that is no array) throws
   * and rejects the frame.
   * No size check: the socket has already buffered the frame, and the service never sends more
   * than it accepts (presence lists are capped), so counting bytes would only cost time.
   */
  const onText = (text: unknown): void => {
    if (debug) debug('<-', text);
    let f!: Raw;
    let type: unknown;
    let valid: unknown;
    try {
      if (typeof text === 'string') {
        // A `__proto__` key (rare: the text is scanned first) makes the reviver throw; a \u escape
        // could spell the key without the literal text, so it also takes the checked path.
        f = JSON.parse(text, text.includes('__proto__') || text.includes('\\u') ? noProto : undefined) as Raw;
        type = f.type;
        valid =
          type === 'message'
            ? isName(f.channel) && typeof f.data.type === 'string' && isNum(f.timestamp)
            : type === 'presence'
              ? isName(f.channel) &&
                (f.action === 'sync'
                  ? isNum(f.count) && f.count >= 0 && f.members.every(isMember)
                  : (f.action === 'enter' || f.action === 'leave' || f.action === 'update') && isMember(f.member))
              : type === 'pong'
                ? isNum(f.timestamp)
                : type === 'error' && typeof f.error === 'string';
      }
    } catch {
      // Rejected below.
    }
    if (!valid) {
      em.emit('error', new PulseError('invalid_message', 'invalid frame'));
    } else if (type === 'message') {
      channels.get(f.channel as string)?.em.emit(f.data.type as string, f as unknown as MessageFrame);
    } else if (type === 'presence') {
      const ch = channels.get(f.channel as string);
      if (ch) applyPresence(ch.presence, f as unknown as PresenceFrame);
    } else if (type === 'error') {
      // pulse.js (size budget) leaves out the table of codes: there a code string passes as given.
      const known = SCRIPT_TAG ? typeof f.code === 'string' : isErrorCode(f.code);
      em.emit('error', new PulseError(known ? (f.code as ErrorCode) : 'server_error', f.error as string));
    } else {
      queue.pong();
    }
  };

  /** Ends in a terminal state: no socket, no timers, unconfirmed and queued publishes and presence reads rejected with `error`. */
  const stop = (next: ConnectionState, error: PulseError, reason?: PulseError): void => {
    epoch++;
    refreshing = false;
    clock.clearTimeout(retryTimer);
    listenBrowser(false);
    transport?.close();
    transport = undefined;
    resetChannels(error);
    queue.down(error);
    setState(next, reason);
    if (reason) em.emit('error', reason);
  };
  const fail = (error: PulseError): void => stop('failed', error, error);

  const scheduleRetry = (delay: number, reason?: PulseError): void => {
    clock.clearTimeout(retryTimer);
    setState('reconnecting', reason);
    if (reason) em.emit('error', reason);
    debug?.('retry', delay);
    retryTimer = clock.setTimeout(open, delay);
  };

  const refresh = (): void => {
    const current = epoch;
    refreshing = true;
    setState('reconnecting');
    refreshToken(options).then(
      (fresh) => {
        if (current !== epoch) return;
        refreshing = false;
        if (!fresh) return fail(new PulseError('token_expired', 'token expired: set authCallback or authUrl', { statusCode: 401 }));
        token = fresh.token;
        authEndpoint = fresh.endpoint;
        // The first retry after a refresh is immediate; a token that keeps failing backs off.
        scheduleRetry(attempt++ === 0 ? 0 : backoffDelay(attempt - 1, random));
      },
      (cause: unknown) => {
        if (current !== epoch) return;
        refreshing = false;
        scheduleRetry(backoffDelay(attempt++, random), new PulseError('token_expired', 'token refresh failed', { cause }));
      },
    );
  };

  const onDown = (info: DownInfo): void => {
    transport = undefined;
    // Unconfirmed publishes go back to the front of the queue, ahead of anything published from now on.
    queue.down();
    debug?.('closed', info);
    const { status, code: closeCode, opened } = info;
    const now = clock.now();
    if (opened && now - openedAt >= STABLE_CONNECTION_MS) attempt = 0;
    const expired = isTokenExpired(token, now);
    let code: ErrorCode | undefined = SCRIPT_TAG ? undefined : info.errorCode;
    // A status (and a code from the body) comes only from `ws` in Node: not in pulse.js.
    if (!SCRIPT_TAG && (status === 401 || status === 403)) {
      if (!code || (code !== 'token_expired' && ERROR_FAILS[code] === undefined)) {
        code = status === 403 ? 'forbidden' : expired ? 'token_expired' : 'invalid_token';
      }
    } else if (closeCode === CLOSE_CODES.tokenExpired || (!opened && expired)) {
      // Browsers hide the upgrade's status: a socket that never opened with an expired token is refused for it.
      code = 'token_expired';
    } else if (!code) {
      code = CLOSE_ERRORS[closeCode];
    }
    if (code === 'token_expired') return refresh();
    if (!SCRIPT_TAG && code && ERROR_FAILS[code]) return fail(refusal(code, status));
    if (!STATES[state].retry) return;
    let reason = code && refusal(code, status);
    if (!opened) {
      // One error per run of failed attempts (retries go on with backoff): browsers hide why a
      // WebSocket upgrade failed, so a refused token or kbId looks the same as a network failure.
      reason = reported
        ? undefined
        : (reason ?? new PulseError('network_error', 'cannot connect (network, or refused: browsers hide why)'));
      reported = true;
    }
    // A connection ended by its 24 h TTL comes back at once, spread over a second so that
    // clients connected together do not return in lockstep.
    scheduleRetry(closeCode === CLOSE_CODES.connectionTtl ? Math.round(1000 * random()) : backoffDelay(attempt++, random), reason);
  };

  function open(): void {
    clock.clearTimeout(retryTimer);
    transport?.close();
    if (state !== 'reconnecting') setState('connecting');
    const base = endpoint();
    // Logs the endpoint only: the URL carries the token.
    debug?.('open', base);
    const url = buildConnectUrl(base, { kbId: options.kbId, token, channel: options.channel });
    transport = openTransport(Ctor as WebSocketLikeConstructor, url, clock, intervalMs, timeoutMs, {
      open: onOpen,
      frame: onText,
      down: onDown,
      ping: queue.ping,
    });
  }

  /** Online again or visible again: check the connection now, or retry now (unless a token refresh is running). */
  const wake = (): void => {
    if (STATES[state].retry) {
      if (transport) transport.check();
      else if (!refreshing) open();
    }
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

  /** Enters (or updates, when already entered) the presence set with `data`. */
  const enter = (ch: ChannelState, data: unknown): Promise<void> => {
    const action = ch.presence.entered ? 'presence_update' : 'presence_enter';
    const frame = encodeFrame({ action, channel: ch.name, data });
    const refused = tooLarge(frame);
    if (refused) return refused;
    ch.presence.entered = { data };
    // Once the channel's presence is set up on this connection, send the change; else setting it up sends it.
    if (STATES[state].sends && ch.subscribed && ch.presenceRequested) sendText(frame);
    else syncChannel(ch);
    return RESOLVED;
  };
  const leave = (ch: ChannelState): Promise<void> => {
    if (ch.presence.entered !== undefined) {
      ch.presence.entered = undefined;
      if (STATES[state].sends && ch.subscribed) send({ action: 'presence_leave', channel: ch.name });
      syncChannel(ch);
    }
    return RESOLVED;
  };

  const engine: Engine = {
    get state() {
      return state;
    },
    on(type, handler) {
      em.on(type, handler);
      return () => em.off(type, handler);
    },
    connect() {
      // Already connected, connecting, or reconnecting with a socket opening (a transport exists only then).
      if (state === 'connecting' || transport) return;
      if (!Ctor) {
        throw new PulseError(
          'no_websocket',
          'no WebSocket: pass the `WebSocket` option',
        );
      }
      epoch++;
      attempt = 0;
      refreshing = reported = false;
      if (STATES[state].terminal) listenBrowser(true);
      open();
    },
    close() {
      stop('disconnected', new PulseError('disconnected', 'disconnect() called'));
    },
    channel(name) {
      let ch = channels.get(name);
      if (!ch) {
        const problem = channelNameProblem(name);
        if (problem) throw new PulseError('invalid_argument', problem);
        channels.set(name, (ch = createChannelState(name)));
        // The connect URL's channel is subscribed by the service at once.
        ch.subscribed = STATES[state].sends && name === options.channel;
      }
      return ch;
    },
    listen: ((ch: ChannelState, em: Emitter<Record<string, unknown>>, type: string, handler: Handler) => {
      em.on(type, handler);
      syncChannel(ch);
      return () => {
        em.off(type, handler);
        syncChannel(ch);
      };
    }) as Engine['listen'],
    presence: (ch) => ({ enter: (data) => enter(ch, data), update: (data) => enter(ch, data), leave: () => leave(ch) }),
    publish(ch, event, data) {
      const problem = eventNameProblem(event) ?? publishDataProblem(event, data);
      if (problem) return Promise.reject(new PulseError('invalid_argument', problem));
      const text = encodeFrame({ action: 'publish', channel: ch.name, event, data });
      const refused = tooLarge(text);
      if (refused) return refused;
      const info = STATES[state];
      // Sent when connected (on a socket already closing: resent after the close), else queued; resolved once a pong confirms it.
      if (info.queues) return queue.add(text, info.sends);
      return Promise.reject(new PulseError('not_connected', `${state}: call connect()`));
    },
    release(ch) {
      leave(ch);
      ch.presence.em.emit('gone', new PulseError('disconnected', 'detached'));
      ch.em.all.clear();
      ch.presence.em.all.clear();
      syncChannel(ch);
    },
  };

  if (options.autoConnect !== false) engine.connect();
  return engine;
}

/** The error of a refused connection, or of a close by the service with a reason. */
const refusal = (code: ErrorCode, statusCode?: number): PulseError => new PulseError(code, `service: ${code}`, { statusCode });

/** Refusal codes that end in `failed` (no retry loop). */
const ERROR_FAILS: Partial<Record<ErrorCode, true>> = {
  invalid_token: true,
  forbidden: true,
  kb_mismatch: true,
  pulse_not_enabled: true,
};

/** Close codes of the service that carry a reason (4001, token expired, refreshes the token instead). */
const CLOSE_ERRORS: Partial<Record<number, ErrorCode>> = {
  [CLOSE_CODES.connectionTtl]: 'connection_expired',
  [CLOSE_CODES.slowConsumer]: 'slow_consumer',
};

/**
 * A parsed frame before validation, typed as if every field had the expected shape: `onText`
 * reads it inside a `try`, where a wrong shape throws (or fails a `typeof` check).
 */
interface Raw {
  [key: string]: unknown;
  data: Raw;
  member: Raw;
  members: Raw[];
  count: number;
}

const isNum = Number.isFinite as (value: unknown) => value is number;
const isName = (value: unknown): value is string => typeof value === 'string' && value !== '';
/** Whether `m` is a valid presence member (the rules of `parsePresenceMember`); throws on `null`. */
const isMember = (m: Raw): boolean =>
  isName(m.userId) && isName(m.connectionId) && (m.connectedAt === undefined || isNum(m.connectedAt));
/** JSON.parse reviver refusing `__proto__` keys (the service's parser refuses them too). */
const noProto = (key: string, value: unknown): unknown => {
  if (key === '__proto__') throw new Error(key);
  return value;
};

