/**
 * The local Pulse service: one HTTP server for the API and the WebSocket upgrade, tenants,
 * connections and the test hooks.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'eventemitter3';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  CLOSE_CODES,
  CONNECTION_TTL_MS,
  DEFAULT_REGION,
  MAX_FRAME_BURST,
  MAX_FRAMES_PER_SECOND,
  MAX_MESSAGE_BYTES,
  MAX_PRESENCE_ENTRIES_PER_CONNECTION,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  PulseError,
  injectedOptionsProblem,
  encodeFrame,
  mergeEventIntoData,
  MAX_TIMER_MS,
  MAX_TOKEN_LIFETIME_SECONDS,
  parseClientAction,
  publishProblem,
  shownValue,
  tokenRequestProblem,
  isTokenLifetime,
  isRegion,
  REGIONS,
  presenceDataProblem,
  systemClock,
  type ClientAction,
  type Clock,
  type ErrorCode,
  type JsonObject,
  type MessageFrame,
  type ParseResult,
  type PublishResponse,
  type Region,
  type ServerFrame,
  type TimerHandle,
} from '@openkbs-pulse/protocol';
import { allowedOriginsOption, crossSiteProblem, isLoopbackHost, type AccessPolicy } from './access.js';
import { stampNow } from './stamp.js';
import { checkUpgrade, createTokenAuthority, secretKey, type TokenAuthority } from './auth.js';
import { refusalCode, refuseHandshake, refuseUpgrade } from './refuse.js';
import { fanOut, Tenant } from './channels.js';
import { frameText, writeFramed } from './wire.js';
import { closesAt, closesWith, PulseConnection, type ConnectionInfo } from './connection.js';
import { createApiHandler } from './http-api.js';
import { enterPresence, leavePresence, presenceSync } from './presence.js';
import { serviceStats, type ServiceStats } from './stats.js';
import { INSPECTOR_PATH, Inspector } from './inspector.js';
import type { PublishSource, ServiceTap } from './inspector-events.js';

/** Options of {@link createPulseService}. */
export interface PulseServiceOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** The default tenant's kbId. @default 'local-kb' */
  kbId?: string;
  /** The default tenant's API key. @default 'local-api-key' */
  apiKey?: string;
  /** Region reported in tokens and API answers. @default 'us-east-1' */
  region?: Region;
  /** Lifetime of minted tokens, in seconds. @default 86400 */
  tokenTtlSeconds?: number;
  /** Connections are closed this long after they open (or at token expiry, if sooner). @default CONNECTION_TTL_MS (24 h) */
  connectionTtlMs?: number;
  /** A connection whose unsent outgoing data exceeds this many bytes is closed as a slow consumer. @default 4 MiB */
  maxBufferedBytes?: number;
  /** Time source for token expiry and connection deadlines. @default systemClock */
  clock?: Clock;
  /** HS256 signing key: a non-empty string (its UTF-8 bytes) or Uint8Array, else `invalid_argument`. @default 32 random bytes per service */
  secret?: string | Uint8Array;
  /**
   * Browser origins allowed to open WebSockets (and send HTTP requests), besides loopback ones
   * (`http://localhost:5173`, `http://127.0.0.1:8080`), which are always allowed, as are clients
   * that send no `Origin` (backends, tests). An array of origins as browsers send them, e.g.
   * `https://app.example:8443`; `'*'` allows every origin, `'null'` sandboxed and `file:` pages.
   * An http(s) origin in another spelling is taken as the origin it is (`HTTPS://App.Example/`
   * is `https://app.example`, `https://app.example:443` too); anything else is refused with
   * `invalid_argument` naming allowedOrigins: a string instead of an array (spreading it made
   * an allow-list of its characters), or a URL with a path, query or credentials (the message
   * names its origin). Other schemes (`chrome-extension://<id>`) are compared as written.
   * See docs/security.md.
   * @default []
   */
  allowedOrigins?: readonly string[];
  /** Most channels one connection may subscribe to (a whole number from 1, or Infinity for none); more get an `error` frame `limit_exceeded`. @default MAX_SUBSCRIPTIONS_PER_CONNECTION (1000) */
  maxSubscriptionsPerConnection?: number;
  /** Most presence sets one connection may be in (a whole number from 1, or Infinity for none); more get an `error` frame `limit_exceeded`. @default MAX_PRESENCE_ENTRIES_PER_CONNECTION (100) */
  maxPresencePerConnection?: number;
  /** Frames per second one connection may send, sustained; frames over it are dropped with an `error` frame `rate_limited`. @default MAX_FRAMES_PER_SECOND (200) */
  maxFramesPerSecond?: number;
  /** Frames one connection may send at once above the rate (a whole number from 1, or Infinity for no limit). @default MAX_FRAME_BURST (1000) */
  maxFrameBurst?: number;
  /**
   * Longest time an HTTP request may take to arrive, headers and body (answered 408 and closed
   * after it), so slow clients cannot hold sockets. @default 10000
   */
  requestTimeoutMs?: number;
  /**
   * Serve the inspector page at `/_inspector` (loopback only, or with the API key when listening
   * on another interface). It costs nothing while no page is open.
   * @default true
   */
  inspector?: boolean;
}

/** Events a test can listen to with `service.on(...)`. */
export interface PulseServiceEvents {
  /** A WebSocket connection was accepted. */
  connection: (connection: ConnectionInfo) => void;
  /** A connection left (closed by either side, killed, expired or slow). */
  close: (connection: ConnectionInfo, code: number, reason: string) => void;
  /**
   * A valid client action within the frame-rate limit was received, before the service handles it
   * (a frame over the limit is refused with `rate_limited` and fires none). While paused, every
   * valid action fires it and is then ignored: the rate limit is not applied, as nothing is
   * answered. If the listener drops the connection (`kill`, `dropAll`, `stop`), the action is not
   * handled.
   */
  action: (action: ClientAction, connection: ConnectionInfo) => void;
  /** A client frame was rejected with an `error` frame. */
  rejected: (code: ErrorCode, message: string, connection: ConnectionInfo) => void;
}

/** Options of `service.createToken`. */
export interface CreateTokenOptions {
  /** kbId the token is for (any string: to test `kb_mismatch`). @default the default kbId */
  kbId?: string;
  /** Lifetime in seconds; zero or less mints an already expired token. @default tokenTtlSeconds */
  expiresIn?: number;
}

/** A running local Pulse service. */
export interface PulseService extends EventEmitter<PulseServiceEvents> {
  /** HTTP API root, e.g. `http://127.0.0.1:PORT` (same as {@link PulseService.apiUrl}). */
  readonly url: string;
  /** HTTP API root: `POST` `{ action, kbId, apiKey, ... }` here. */
  readonly apiUrl: string;
  /** WebSocket endpoint, e.g. `ws://127.0.0.1:PORT` (tokens carry it as `endpoint`). */
  readonly wsUrl: string;
  /** The interface it listens on, as given in {@link PulseServiceOptions.host}. */
  readonly host: string;
  /** The port it listens on (the one picked when the option was 0); kept across stop/start. */
  readonly port: number;
  /** The default tenant. */
  readonly kbId: string;
  /** The default tenant's API key. */
  readonly apiKey: string;
  /** Region of the default tenant, and of tenants added without one. */
  readonly region: Region;
  /** Whether the HTTP server is listening. */
  readonly listening: boolean;
  /** The inspector page, e.g. `http://127.0.0.1:PORT/_inspector`; undefined with `inspector: false`. */
  readonly inspectorUrl: string | undefined;
  /**
   * Mints a token for `userId` (no HTTP round trip). Never throws: a bad argument is a rejection
   * with `invalid_argument` (a userId no token may have, a `kbId` that is not a string, an
   * `expiresIn` that is not a number of seconds, options that are not an object).
   *
   * @param userId - the user the token is for.
   * @param options - `kbId` (another tenant, or a wrong one to test `kb_mismatch`) and `expiresIn` in seconds; null or left out: the defaults.
   * @example
   * ```ts
   * const client = new Pulse({ kbId: service.kbId, token: await service.createToken('alice'), endpoint: service.wsUrl });
   * const expired = await service.createToken('alice', { expiresIn: 0 });
   * ```
   */
  createToken(userId: string, options?: CreateTokenOptions | null): Promise<string>;
  /**
   * Adds (or reconfigures) a tenant.
   * @throws PulseError `invalid_argument` for an empty (or non-string) `kbId` or `apiKey`, a
   * `region` other than us-east-1 and eu-central-1 (as {@link createPulseService} refuses them for
   * the default tenant), an `enabled` that is not a boolean, or options that are not an object;
   * nothing is added or changed then.
   *
   * @param kbId - its knowledge base id.
   * @param apiKey - the API key its backend calls use.
   * @param options - whether Pulse is `enabled` for it, and its `region`; null or left out: the defaults.
   * @example
   * ```ts
   * service.addTenant('kb-two', 'key-two', { region: 'eu-central-1' });
   * ```
   */
  addTenant(kbId: string, apiKey: string, options?: { enabled?: boolean; region?: Region } | null): void;
  /**
   * Turns Pulse on or off for a kb: off refuses new connections and HTTP publishes with `pulse_not_enabled`.
   * @throws PulseError `invalid_argument` for a kbId that is neither the default one nor added with
   * {@link PulseService.addTenant}, or an `enabled` that is not a boolean (a string such as "false"
   * from the environment); nothing is changed then.
   *
   * @param kbId - the knowledge base.
   * @param enabled - on or off.
   * @example
   * ```ts
   * service.setEnabled(service.kbId, false); // the next connection is refused: pulse_not_enabled
   * ```
   */
  setEnabled(kbId: string, enabled: boolean): void;
  /**
   * Open connections.
   *
   * @example
   * ```ts
   * expect(service.connections()).toHaveLength(1); // one client, however many channels
   * ```
   */
  connections(): ConnectionInfo[];
  /**
   * Abruptly drops one connection (no close frame, like a network failure). False if unknown.
   *
   * @param connectionId - from {@link PulseService.connections}.
   * @example
   * ```ts
   * const [first] = service.connections();
   * service.kill(first!.connectionId); // the client goes to reconnecting, then back
   * ```
   */
  kill(connectionId: string): boolean;
  /**
   * Abruptly drops every connection; returns how many.
   *
   * @example
   * ```ts
   * service.dropAll(); // every client reconnects, re-subscribes and re-enters presence
   * ```
   */
  dropAll(): number;
  /**
   * Stops answering: incoming frames (ping included) are read and ignored, nothing is sent.
   *
   * @example
   * ```ts
   * service.pause(); // a silent service: the client's heartbeat notices and reconnects
   * service.resume();
   * ```
   */
  pause(): void;
  /**
   * Answers again after {@link PulseService.pause}.
   *
   * @example
   * ```ts
   * service.resume();
   * ```
   */
  resume(): void;
  /** Whether {@link PulseService.pause} is in effect. */
  readonly paused: boolean;
  /**
   * Closes the listener and every connection (code 1001) but keeps tenants, secret and port.
   * Waits about a second for close handshakes (connections and inspector pages), then drops the
   * sockets that did not answer.
   *
   * @example
   * ```ts
   * await service.stop(); // an outage: clients retry with backoff
   * await service.start(); // same port: they reconnect
   * ```
   */
  stop(): Promise<void>;
  /**
   * Listens again (on the same port after a stop). Called while a stop() still waits for close
   * handshakes, it listens at once; that stop() settles too, and leaves the new connections be.
   * @throws PulseError `disconnected` after {@link PulseService.close}; `invalid_argument` when
   * the host and port cannot be listened on (the system error, e.g. `EADDRINUSE`, is the `cause`).
   *
   * @example
   * ```ts
   * await service.stop();
   * await service.start();
   * ```
   */
  start(): Promise<void>;
  /**
   * Counts per kb (the `GET /stats` document).
   *
   * @example
   * ```ts
   * console.log(service.stats());
   * ```
   */
  stats(): ServiceStats;
  /**
   * Stops for good: a {@link PulseService.start} under way or called later rejects with
   * `disconnected`, and once this settles nothing listens on the port. Every call returns the
   * same promise.
   *
   * @example
   * ```ts
   * afterAll(() => service.close());
   * ```
   */
  close(): Promise<void>;
}

const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Idle keep-alive HTTP connections are closed after this long. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** ws closes connections whose single frame is larger than this (1009); frames over 32 KB and below it get an error frame. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** How long stop() waits for close handshakes before dropping sockets. */
const CLOSE_GRACE_MS = 1000;
const TEXT = { binary: false } as const;


function advertisedHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The answer to a request that made a handler throw: still a 4xx with the JSON error body. */
function answerMalformed(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: 'malformed request', code: 'invalid_message' });
  res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

/** HTTP server options: Node's defaults let a slow client hold a socket for minutes (issue 12), so every phase is bounded. */
function httpServerOptions(requestTimeoutMs: number): ServerOptions {
  return {
    headersTimeout: Math.min(requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    requestTimeout: requestTimeoutMs,
    // Below the request timeout: Node may count an idle keep-alive socket's wait against the next
    // request's header deadline, so an idle socket must be closed before that deadline could pass.
    keepAliveTimeout: Math.min(KEEP_ALIVE_TIMEOUT_MS, Math.floor(requestTimeoutMs / 2)),
    connectionsCheckingInterval: Math.min(1000, requestTimeoutMs),
  };
}

class LocalPulseService extends EventEmitter<PulseServiceEvents> implements PulseService {
  readonly host: string;
  readonly kbId: string;
  readonly apiKey: string;
  readonly region: Region;
  readonly tokenTtlSeconds: number;
  private readonly connectionTtlMs: number;
  private readonly maxBufferedBytes: number;
  private readonly maxSubscriptions: number;
  private readonly maxPresence: number;
  private readonly framesPerSecond: number;
  private readonly framesPerMs: number;
  private readonly frameBurst: number;
  /** The cross-site rules (access.ts), also what read-outs such as `/stats` check. */
  readonly access: AccessPolicy;
  private readonly clock: Clock;
  private readonly authority: TokenAuthority;
  private readonly tenants = new Map<string, Tenant>();
  /** Its connections (attached ones). A Set, not a map by id: an id is made only when asked (connection.ts). */
  private readonly accepted = new Set<PulseConnection>();
  /** Sockets the service is closing (close frame sent, 'close' event not yet seen). */
  private readonly closing = new Set<WebSocket>();
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private currentPort: number;
  private isListening = false;
  private closed = false;
  /** The listen under way, shared by concurrent start() calls and awaited by close(). */
  private starting: Promise<void> | undefined;
  /** The drain of a stop() under way: a stop() or close() called meanwhile settles with it. */
  private draining: Promise<void> | undefined;
  /** The one shutdown, shared by every close() call. */
  private closure: Promise<void> | undefined;
  private isPaused = false;
  private sweepAt = Number.POSITIVE_INFINITY;
  private sweepTimer: TimerHandle | undefined;
  /** Nesting of fan-outs in progress (a drop inside one broadcasts `leave`s: a fan-out too). */
  private fanOutDepth = 0;
  /** Connections that overflowed during a fan-out, closed once it ends (see `PulseConnection.dropping`). */
  private readonly overflowed: PulseConnection[] = [];
  // One listener of each kind for every socket: `this` is the socket.
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onClose: (this: WebSocket, code: number, reason: Buffer) => void;
  private readonly inspector: Inspector | undefined;
  /** Set only while an inspector page is open: every call site is `this.tap?.(...)`, free without one. */
  private tap: ServiceTap | undefined;

  constructor(options: PulseServiceOptions) {
    super();
    this.host = listenHost(options.host);
    this.currentPort = options.port ?? 0;
    // Clients must name the kb (an empty kbId is refused at every upgrade), and use a key.
    this.kbId = nonEmpty(options.kbId, 'local-kb', 'kbId');
    this.apiKey = nonEmpty(options.apiKey, 'local-api-key', 'apiKey');
    this.region = checkedRegion(options.region ?? DEFAULT_REGION, 'region', `leave it out for "${DEFAULT_REGION}"`);
    this.tokenTtlSeconds = tokenLifetime(options.tokenTtlSeconds);
    this.connectionTtlMs = positive(options.connectionTtlMs, CONNECTION_TTL_MS, 'connectionTtlMs');
    this.maxBufferedBytes = positive(options.maxBufferedBytes, DEFAULT_MAX_BUFFERED_BYTES, 'maxBufferedBytes');
    this.maxSubscriptions = wholeCount(options.maxSubscriptionsPerConnection, MAX_SUBSCRIPTIONS_PER_CONNECTION, 'maxSubscriptionsPerConnection');
    this.maxPresence = wholeCount(options.maxPresencePerConnection, MAX_PRESENCE_ENTRIES_PER_CONNECTION, 'maxPresencePerConnection');
    this.framesPerSecond = positive(options.maxFramesPerSecond, MAX_FRAMES_PER_SECOND, 'maxFramesPerSecond');
    this.framesPerMs = this.framesPerSecond / 1000;
    this.frameBurst = wholeCount(options.maxFrameBurst, MAX_FRAME_BURST, 'maxFrameBurst');
    // A runtime timer waits at most MAX_TIMER_MS (longer ones fire at once), and Node's server
    // options refuse Infinity: a "practically never" timeout waits that long.
    // Node's server options take whole milliseconds only.
    const requestTimeoutMs = Math.min(Math.ceil(positive(options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs')), MAX_TIMER_MS);
    // Else every token and connection fails later with a bare TypeError.
    const injected = injectedOptionsProblem(options, []);
    if (injected) throw new PulseError('invalid_argument', injected);
    this.clock = options.clock ?? systemClock;
    this.authority = createTokenAuthority(secretKey(options.secret), this.clock);
    this.access = { loopbackOnly: isLoopbackHost(this.host), allowedOrigins: allowedOriginsOption(options.allowedOrigins), adminKey: this.apiKey };
    this.addTenant(this.kbId, this.apiKey);

    // The listeners below are shared by every socket and get the socket as `this`: a
    // PulseConnection, the class this service's WebSocketServer makes its sockets of.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const service = this;
    this.onMessage = function (data, isBinary) {
      service.receive(this as PulseConnection, data, isBinary);
    };
    this.onClose = function (code, reason) {
      service.closing.delete(this);
      service.detach(this as PulseConnection, code, reason.toString('utf8'));
    };

    // Every socket it accepts is a PulseConnection (connection.ts), attached once its upgrade is granted.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false, WebSocket: PulseConnection });
    this.wss.on('wsClientError', refuseHandshake);
    this.inspector = options.inspector === false ? undefined : this.createInspector();
    const api = createApiHandler({
      tenant: (kbId) => this.tenants.get(kbId),
      clock: this.clock,
      get wsUrl() {
        return service.wsUrl;
      },
      tokenTtlSeconds: this.tokenTtlSeconds,
      mintToken: (tenant, userId, expiresIn) => this.mint(tenant.kbId, tenant.region, userId, expiresIn),
      publish: (tenant, channel, event, data, timestamp) => this.publish(tenant, channel, event, data, 'http', timestamp),
      stats: () => this.stats(),
      access: this.access,
      requestTimeoutMs,
      refused: (code, message) => this.tap?.({ kind: 'refused', site: 'http', code, message }),
    });
    // Both listeners are total: whatever a request holds, it gets an answer and the process goes on.
    this.server = createServer(httpServerOptions(requestTimeoutMs), (req, res) => {
      try {
        if (!this.inspector?.handleRequest(req, res)) api(req, res);
      } catch {
        answerMalformed(res);
      }
    });
    // An `Expect` other than 100-continue: Node would answer an empty 417; answer it with the JSON error body.
    this.server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
      const body = JSON.stringify({ error: 'only "Expect: 100-continue" is supported', code: 'invalid_message' });
      res.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
      res.end(body);
    });
    // Requests Node cannot even parse get the service's JSON error too (Node's default is an empty 400).
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      if (error.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      if (error.code === 'HPE_HEADER_OVERFLOW') refuseUpgrade(socket, 431, 'invalid_message', 'request headers are too large');
      else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') refuseUpgrade(socket, 408, 'invalid_message', 'request did not arrive in time');
      else refuseUpgrade(socket, 400, 'invalid_message', 'malformed HTTP request');
    });
    // Node destroys a CONNECT's socket without a word unless someone listens: refuse it like any request.
    this.server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
      socket.on('error', destroySocket);
      refuseUpgrade(socket, 405, 'invalid_message', 'CONNECT is not supported: the HTTP API takes POST, a WebSocket GET', 'Allow: GET, POST\r\n');
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        if (this.inspector?.handleUpgrade(req, socket, head)) return;
        this.upgrade(req, socket, head).catch(() => refuseUpgrade(socket, 400, 'invalid_message', 'malformed upgrade request'));
      } catch {
        refuseUpgrade(socket, 400, 'invalid_message', 'malformed upgrade request');
      }
    });
  }

  get port(): number {
    return this.currentPort;
  }
  get url(): string {
    return `http://${advertisedHost(this.host)}:${this.currentPort}`;
  }
  get apiUrl(): string {
    return this.url;
  }
  get wsUrl(): string {
    return `ws://${advertisedHost(this.host)}:${this.currentPort}`;
  }
  get listening(): boolean {
    return this.isListening;
  }
  get inspectorUrl(): string | undefined {
    return this.inspector ? `${this.url}${INSPECTOR_PATH}` : undefined;
  }

  /** The inspector sees the service through this object only (and its one tap). */
  private createInspector(): Inspector {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const service = this;
    return new Inspector({
      access: this.access,
      clock: this.clock,
      get paused() {
        return service.isPaused;
      },
      get listening() {
        return service.isListening;
      },
      tenants: () => this.tenants.values(),
      tenant: (kbId) => this.tenants.get(kbId),
      connections: () => this.accepted.values(),
      closesAt: (connection) => closesAt(connection, this.connectionTtlMs),
      pause: () => this.pause(),
      resume: () => this.resume(),
      kill: (id) => this.kill(id),
      dropAll: () => this.dropAll(),
      publish: (tenant, channel, event, data, from, timestamp) => this.publish(tenant, channel, event, data, from, timestamp),
      setTap: (tap) => {
        this.tap = tap;
      },
    });
  }
  get paused(): boolean {
    return this.isPaused;
  }

  // -------------------------------------------------------------------------------------------
  // Test hooks

  // async: whatever is wrong, the options included, is a rejection, never a synchronous throw.
  async createToken(userId: string, options?: CreateTokenOptions | null): Promise<string> {
    const given = optionsArgument(options, 'createToken: options', '{ kbId, expiresIn }');
    const kbId: unknown = given.kbId ?? this.kbId;
    const expiresIn: unknown = given.expiresIn ?? this.tokenTtlSeconds;
    // The userId rule of every token (the service refuses a token without it); the lifetime may be
    // zero or less here, to test expiry: -Infinity is "expired", NaN and Infinity are mistakes.
    const problem = tokenRequestProblem(userId);
    if (problem) throw new PulseError('invalid_argument', problem);
    // Any string, a wrong one included (to test kb_mismatch); anything else would mint a token no service reads.
    if (typeof kbId !== 'string') throw new PulseError('invalid_argument', `createToken: kbId must be a string (got ${shownValue(kbId)}); leave it out for "${this.kbId}"`);
    // A lifetime a token can have (whole seconds, from 1), or zero or less for an expired one.
    if (typeof expiresIn !== 'number' || Number.isNaN(expiresIn) || expiresIn === Infinity || (expiresIn > 0 && expiresIn < 1)) {
      throw new PulseError('invalid_argument', `expiresIn must be a number of seconds, at least 1 (got ${shownValue(expiresIn)}); zero or less mints an expired token`);
    }
    return this.mint(kbId, this.tenants.get(kbId)?.region ?? this.region, userId, Math.max(expiresIn, -1));
  }

  private mint(kbId: string, region: Region, userId: string, expiresIn: number): Promise<string> {
    return this.authority.sign({ kbId, userId, region, endpoint: this.wsUrl }, expiresIn);
  }

  addTenant(kbId: string, apiKey: string, options?: { enabled?: boolean; region?: Region } | null): void {
    // The default tenant's rules (createPulseService): no client can connect to an empty kbId (every
    // upgrade without one is a 400), and an empty key would let any request send `apiKey: ""`.
    checkedNonEmpty(kbId, 'addTenant: kbId', 'give the kbId clients and tokens will name');
    checkedNonEmpty(apiKey, 'addTenant: apiKey', 'give the key its backend calls will send');
    // Each option read once: a getter could answer a check and the assignment differently.
    const { enabled, region } = optionsArgument(options, 'addTenant: options', '{ enabled, region }');
    if (enabled !== undefined) checkedBoolean(enabled, 'addTenant: enabled');
    if (region !== undefined) checkedRegion(region, 'addTenant: region', `leave it out for the service's region, "${this.region}"`);
    const existing = this.tenants.get(kbId);
    if (existing) {
      existing.apiKey = apiKey;
      if (enabled !== undefined) existing.enabled = enabled;
      if (region !== undefined) existing.region = region;
      return;
    }
    this.tenants.set(kbId, new Tenant(kbId, apiKey, enabled ?? true, region ?? this.region));
  }

  setEnabled(kbId: string, enabled: boolean): void {
    const tenant = this.tenants.get(kbId);
    if (!tenant) throw new PulseError('invalid_argument', `unknown kbId "${kbId}": add it with addTenant(kbId, apiKey) first`);
    tenant.enabled = checkedBoolean(enabled, 'setEnabled: enabled');
  }

  connections(): ConnectionInfo[] {
    return [...this.accepted].map((connection) => this.info(connection));
  }

  private info(connection: PulseConnection): ConnectionInfo {
    return connection.info(closesAt(connection, this.connectionTtlMs));
  }

  kill(connectionId: string): boolean {
    // From JavaScript anything may come (the connectionId of a find() that found nothing): it names no connection.
    if (typeof connectionId !== 'string') return false;
    // A walk, not a lookup: kill is a test's and the inspector's tool, and a map by id would cost every connection an id string.
    for (const connection of this.accepted) {
      if (connection.hasId(connectionId)) {
        this.drop(connection);
        return true;
      }
    }
    return false;
  }

  dropAll(): number {
    let dropped = 0;
    // A close listener may end others meanwhile (kill, stop): those are neither dropped again nor counted.
    for (const connection of [...this.accepted]) {
      if (!connection.attached) continue;
      this.drop(connection);
      dropped++;
    }
    return dropped;
  }

  /** Ends a connection as a network failure would (no close frame): what kill and dropAll do. */
  private drop(connection: PulseConnection): void {
    this.detach(connection, 1006, 'killed');
    connection.terminate();
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
  }

  stats(): ServiceStats {
    return serviceStats(this.tenants.values(), !this.isPaused);
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  async start(): Promise<void> {
    if (this.closed) throw closedError();
    if (this.isListening) return;
    // One listen at a time, shared: close() waits for it, so it cannot finish listening afterwards.
    this.starting ??= this.listen().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(listenError(error, this.host, this.currentPort));
      this.server.once('error', onError);
      this.server.listen(this.currentPort, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    // close() began while the listen was under way: it is final, so the port is freed again.
    if (this.closed) {
      await closeServer(this.server);
      throw closedError();
    }
    const address = this.server.address();
    if (address && typeof address === 'object') this.currentPort = address.port;
    this.isListening = true;
  }

  async stop(): Promise<void> {
    // A start() under way listens once it ends: stopped after it, the service does not stay up.
    // Not awaited when none is (one microtask would let an `action` listener's stop() come late).
    if (this.starting) await this.starting.catch(noop);
    // Stopped already, or stopping: a drain under way settles this call too (the port is free then).
    if (!this.isListening) return this.draining;
    this.isListening = false;
    const done = closedOrListening(this.server);
    this.server.close();
    this.server.closeAllConnections();
    for (const connection of [...this.accepted.values()]) this.closeConnection(connection, CLOSE_CODES.goingAway, 'service stopping');
    const feeds = this.inspector?.close(CLOSE_CODES.goingAway, 'service stopping') ?? [];
    // Everything that changes the service happens before the first await: a start() may run
    // while the sockets drain, and the sweep it arms for its new connections must stay armed.
    this.disarmSweep();
    const draining = (this.draining = this.drainSockets(feeds).then(() => done));
    try {
      await draining;
    } finally {
      if (this.draining === draining) this.draining = undefined;
    }
  }

  close(): Promise<void> {
    // Every call gets the first one's promise: none settles before the port is free.
    this.closure ??= this.shutdown();
    return this.closure;
  }

  private async shutdown(): Promise<void> {
    // Final before the first await: a start() from here on rejects, one in flight frees the port.
    this.closed = true;
    // stop() waits for a start() under way (which then frees the port), and for nothing else: an
    // await of nothing would let the action an `action` listener closes the service from be handled.
    await this.stop();
    this.removeAllListeners();
  }

  /** Waits for close handshakes (bounded), then drops what is left: the service's sockets and `others` (inspector feeds). */
  private async drainSockets(others: readonly WebSocket[]): Promise<void> {
    const sockets = [...this.closing, ...others];
    if (sockets.length === 0) return;
    for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.close(CLOSE_CODES.goingAway, 'service stopping');
    await new Promise<void>((resolve) => {
      let left = sockets.length;
      const timer = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
        resolve();
      }, CLOSE_GRACE_MS);
      timer.unref?.();
      for (const ws of sockets) {
        const settle = () => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        if (ws.readyState === WebSocket.CLOSED) settle();
        else ws.once('close', settle);
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', destroySocket);
    if (!this.isListening) {
      refuseUpgrade(socket, 503, 'server_error', 'service is stopping');
      return;
    }
    // Before the token: a page on another origin learns nothing, not even whether its token is valid.
    const crossSite = crossSiteProblem(req, this.access);
    if (crossSite) {
      refuseUpgrade(socket, 403, 'forbidden', crossSite);
      return;
    }
    const grant = await checkUpgrade(req.url, this.authority, {
      isEnabled: (kbId) => this.tenants.get(kbId)?.enabled === true,
    });
    if (socket.destroyed) return;
    if (!grant.ok) {
      this.tap?.({ kind: 'refused', site: 'upgrade', code: grant.code, message: grant.error });
      refuseUpgrade(socket, grant.status, grant.code, grant.error);
      return;
    }
    if (!this.isListening) {
      refuseUpgrade(socket, 503, 'server_error', 'service is stopping');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', destroySocket); // ws has its own handler from here on
      const tenant = this.tenants.get(grant.claims.kbId);
      if (!tenant) {
        ws.close(CLOSE_CODES.kicked, 'unknown kb');
        return;
      }
      const connection = (ws as PulseConnection).accept(tenant.kbId, grant.claims.userId, this.clock.now(), grant.claims.exp, this.frameBurst, socket);
      this.accepted.add(connection);
      tenant.connections++;
      connection.on('message', this.onMessage);
      connection.on('close', this.onClose);
      connection.on('error', noop);
      if (grant.channel !== undefined) tenant.subscribe(connection, grant.channel);
      this.armSweep(closesAt(connection, this.connectionTtlMs));
      this.tap?.({ kind: 'connect', connection });
      if (this.listenerCount('connection') > 0) this.emit('connection', this.info(connection));
    });
  }

  /** Removes a connection from every channel and presence set (broadcasting `leave`s). Idempotent. */
  private detach(connection: PulseConnection, code: number, reason: string): void {
    if (!connection.attached) return;
    connection.markDetached();
    this.accepted.delete(connection);
    const tenant = this.tenants.get(connection.kbId);
    if (tenant) {
      tenant.connections--;
      for (const channel of connection.channelNames()) tenant.unsubscribe(connection, channel);
      for (const channel of connection.present ? [...connection.present] : []) {
        const change = leavePresence(tenant.channels.get(channel), channel, connection);
        if (change) this.broadcast(tenant, channel, change);
        tenant.release(channel);
      }
    }
    this.tap?.({ kind: 'disconnect', connection, code, reason });
    if (this.listenerCount('close') > 0) this.emit('close', this.info(connection), code, reason);
  }

  /** Detaches, then closes with a close frame. */
  private closeConnection(connection: PulseConnection, code: number, reason: string): void {
    this.detach(connection, code, reason);
    if (connection.readyState === WebSocket.OPEN || connection.readyState === WebSocket.CONNECTING) {
      this.closing.add(connection);
      connection.close(code, reason);
    }
  }

  // One timer for the whole service, armed for the earliest connection deadline.
  private armSweep(at: number): void {
    if (at >= this.sweepAt) return;
    this.disarmSweep();
    this.sweepAt = at;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.clock.now()));
    const timer = this.clock.setTimeout(() => this.sweep(), delay);
    (timer as { unref?: () => void } | undefined)?.unref?.();
    this.sweepTimer = timer;
  }

  private disarmSweep(): void {
    if (this.sweepTimer !== undefined) this.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.sweepAt = Number.POSITIVE_INFINITY;
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    this.sweepAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const connection of [...this.accepted.values()]) {
      const at = closesAt(connection, this.connectionTtlMs);
      if (at <= now) {
        const code = closesWith(connection, this.connectionTtlMs);
        this.closeConnection(connection, code, code === CLOSE_CODES.tokenExpired ? 'token expired' : 'connection TTL reached');
      } else if (at < next) next = at;
    }
    if (next !== Number.POSITIVE_INFINITY) this.armSweep(next);
  }

  // -------------------------------------------------------------------------------------------
  // Frames

  /**
   * Hands one pre-encoded text frame to a socket. A socket whose buffer overflows gets nothing
   * more and is closed as a slow consumer once the current fan-out ends (never in the middle of
   * one: its `leave` would overtake the rest of the fan-out, and a presence update fanned out
   * after the leave would leave a ghost member on the other clients).
   */
  private deliver = (connection: PulseConnection, frame: Buffer, framed?: Buffer): boolean => {
    if (!connection.attached || connection.dropping || this.isPaused || connection.readyState !== WebSocket.OPEN) return false;
    if (framed && connection.socket) {
      if (!writeFramed(connection.socket, framed)) return false;
    } else connection.send(frame, TEXT);
    if (connection.bufferedAmount > this.maxBufferedBytes) {
      connection.markDropping();
      this.overflowed.push(connection);
      if (this.fanOutDepth === 0) this.dropOverflowed();
    }
    return true;
  };

  /** Closes the connections that overflowed, after the fan-out that overflowed them. */
  private dropOverflowed(): void {
    // Each close broadcasts leaves, a fan-out of its own that may overflow more connections: they
    // join the queue and are closed by this same loop.
    for (let connection = this.overflowed.shift(); connection; connection = this.overflowed.shift()) {
      this.closeConnection(connection, CLOSE_CODES.slowConsumer, `slow consumer: over ${this.maxBufferedBytes} bytes unsent`);
    }
  }

  private sendFrame(connection: PulseConnection, frame: ServerFrame): void {
    this.deliver(connection, Buffer.from(encodeFrame(frame)));
  }

  private reject(connection: PulseConnection, code: ErrorCode, message: string, channel?: string): void {
    const frame: ServerFrame = channel === undefined ? { type: 'error', error: message, code } : { type: 'error', error: message, code, channel };
    this.sendFrame(connection, frame);
    this.tap?.({ kind: 'refused', site: 'frame', code, message, connection });
    if (this.listenerCount('rejected') > 0) this.emit('rejected', code, message, this.info(connection));
  }

  private broadcast(tenant: Tenant, channel: string, frame: ServerFrame): number {
    const state = tenant.channels.get(channel);
    if (this.tap !== undefined && frame.type === 'presence' && frame.action !== 'sync') this.tap({ kind: 'presence', kbId: tenant.kbId, change: frame });
    if (!state) return 0;
    const payload = Buffer.from(encodeFrame(frame));
    this.fanOutDepth++;
    let delivered: number;
    try {
      // Framing once pays off from two subscribers on; one subscriber gets a plain send.
      delivered = fanOut(state, payload, this.deliver, state.subscribers.size > 1 ? frameText(payload) : undefined);
    } finally {
      this.fanOutDepth--;
    }
    if (this.fanOutDepth === 0) this.dropOverflowed();
    return delivered;
  }

  /** Delivers a publish checked with `timestamp` (publishProblem), stamped with that same time. */
  private publish(tenant: Tenant, channel: string, event: string, data: JsonObject | null | undefined, from: PublishSource, timestamp: number): PublishResponse {
    const frame: MessageFrame = { type: 'message', channel, data: mergeEventIntoData(event, data), timestamp };
    const delivered = this.broadcast(tenant, channel, frame);
    tenant.published++;
    tenant.delivered += delivered;
    this.tap?.({ kind: 'publish', kbId: tenant.kbId, channel, event, data, from, delivered });
    return { delivered, timestamp };
  }

  private receive(connection: PulseConnection, data: RawData, isBinary: boolean): void {
    if (!connection.attached) return;
    if (this.isPaused) return this.receivePaused(connection, data, isBinary);
    if (!connection.takeFrame(this.clock.now(), this.frameBurst, this.framesPerMs)) {
      return this.reject(connection, 'rate_limited', `over ${this.framesPerSecond} frames per second: this frame was dropped; send less often`);
    }
    const parsed = readAction(data, isBinary);
    if (!parsed.ok) return this.reject(connection, parsed.code, parsed.message);
    const action = parsed.value;
    if (this.listenerCount('action') > 0) {
      this.emit('action', action, this.info(connection));
      // The listener may have dropped this connection (kill, dropAll, stop): handling its action
      // now would add a presence member or subscriber that no `leave` or close ever removes.
      if (!connection.attached) return;
    }
    const tenant = this.tenants.get(connection.kbId);
    if (tenant) this.handle(connection, tenant, action);
  }

  /**
   * While paused, frames are read and ignored. A valid one is still reported as an `action` (what
   * the client did); one the service would refuse as malformed is not, by the same rule as when it
   * answers, and gets no `rejected` either: nothing is sent while paused, so there is no error
   * frame. The rate limit is not applied: it guards handling and answering, and neither happens.
   */
  private receivePaused(connection: PulseConnection, data: RawData, isBinary: boolean): void {
    if (this.listenerCount('action') === 0) return;
    const read = readAction(data, isBinary);
    if (read.ok) this.emit('action', read.value, this.info(connection));
  }

  private handle(connection: PulseConnection, tenant: Tenant, action: ClientAction): void {
    switch (action.action) {
      case 'ping':
        return this.sendFrame(connection, { type: 'pong', timestamp: stampNow(this.clock) });
      case 'subscribe':
        if (!connection.isSubscribed(action.channel) && connection.channelCount >= this.maxSubscriptions) {
          const why = `this connection is subscribed to ${this.maxSubscriptions} channels, the most allowed: unsubscribe from one first`;
          return this.reject(connection, 'limit_exceeded', why, action.channel);
        }
        tenant.subscribe(connection, action.channel);
        return this.tap?.({ kind: 'subscribe', connection, channel: action.channel });
      case 'unsubscribe':
        tenant.unsubscribe(connection, action.channel);
        return this.tap?.({ kind: 'unsubscribe', connection, channel: action.channel });
      case 'publish': {
        // The one publish rule (the HTTP API's and every SDK's): the frame as parsed may still hold
        // what it does not allow (a number such as 1e400 parses to Infinity, which travels as
        // null; 9e20 grows when written again), and the message frame may pass 32 KB.
        const timestamp = stampNow(this.clock);
        const problem = publishProblem(action.channel, action.event, action.data, timestamp);
        if (problem) return this.reject(connection, refusalCode(problem), problem.message, action.channel);
        this.publish(tenant, action.channel, action.event, action.data, connection, timestamp);
        return;
      }
      case 'presence':
        return this.sendFrame(connection, presenceSync(tenant.channels.get(action.channel), action.channel));
      case 'presence_enter':
      case 'presence_update': {
        // The same check as every sender runs before sending (one rule: @openkbs-pulse/protocol).
        const problem = presenceDataProblem(action.channel, action.data);
        if (problem) return this.reject(connection, refusalCode(problem), problem.message, action.channel);
        if (!connection.present?.has(action.channel) && (connection.present?.size ?? 0) >= this.maxPresence) {
          const why = `this connection is in ${this.maxPresence} presence sets, the most allowed: leave one first`;
          return this.reject(connection, 'limit_exceeded', why, action.channel);
        }
        const change = enterPresence(tenant.channel(action.channel), action.channel, connection, action.data);
        this.broadcast(tenant, action.channel, change);
        return;
      }
      case 'presence_leave': {
        const change = leavePresence(tenant.channels.get(action.channel), action.channel, connection);
        if (change) this.broadcast(tenant, action.channel, change);
        tenant.release(action.channel);
        return;
      }
    }
  }
}

function noop(): void {}

/** The action a client frame holds, or why it is refused: one rule, paused or not. */
function readAction(data: RawData, isBinary: boolean): ParseResult<ClientAction> {
  if (isBinary) return { ok: false, code: 'invalid_message', message: 'frames must be JSON text' };
  // ws hands text frames over as one Buffer (binaryType 'nodebuffer', the default).
  const bytes = data as Buffer;
  if (bytes.length > MAX_MESSAGE_BYTES) return { ok: false, code: 'message_too_large', message: `frame exceeds ${MAX_MESSAGE_BYTES} bytes` };
  return parseClientAction(bytes.toString('utf8'));
}

/** A positive numeric option, or its default; anything else is a typed error naming the option. */
function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new PulseError('invalid_argument', `${name} must be a positive number (got ${shownValue(value)}); leave it out for the default ${fallback}`);
  }
  return value;
}

/**
 * A count limit (frames at once, channels, presence sets), or its default: a whole number from 1,
 * or Infinity for no limit (what a test that is not about limits writes). A fraction would be an
 * unkept promise (a burst of 0.5 refuses every frame), so it is a typed error naming the option.
 */
function wholeCount(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return value ?? fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new PulseError('invalid_argument', `${name} must be a whole number, at least 1, or Infinity for no limit (got ${shownValue(value)}); leave it out for the default ${fallback}`);
  }
  return value;
}

/**
 * The options argument of a test hook: null or left out is the defaults (as the server SDK's
 * getToken takes them); anything else but an object is a typed error naming it and its `shape`,
 * not an options object silently read as empty (`addTenant(kb, key, 'eu-central-1')`).
 */
function optionsArgument<T extends object>(value: T | null | undefined, name: string, shape: string): Partial<T> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new PulseError('invalid_argument', `${name} must be an object ${shape}, or left out (got ${shownValue(value)})`);
  return value;
}

/** A string option that may not be empty, or its default; anything else is a typed error naming it. */
function nonEmpty(value: string | undefined, fallback: string, name: string): string {
  if (value === undefined) return fallback;
  return checkedNonEmpty(value, name, `leave it out for "${fallback}"`);
}

/**
 * The interface to listen on. A blank one is refused: Node listens on every interface for host ''
 * (a HOST variable unset), while the service's URLs would say 127.0.0.1.
 */
function listenHost(host: unknown): string {
  if (host === undefined) return '127.0.0.1';
  if (typeof host !== 'string' || !host.trim()) {
    throw new PulseError('invalid_argument', `host must be a non-empty string (got ${shownValue(host)}); leave it out for "127.0.0.1", or pass "0.0.0.0" for every interface`);
  }
  return host;
}

/** A string that may not be empty; anything else is a typed error naming it, ending with `fix`. */
function checkedNonEmpty(value: unknown, name: string, fix: string): string {
  if (typeof value !== 'string' || !value) throw new PulseError('invalid_argument', `${name} must be a non-empty string (got ${shownValue(value)}); ${fix}`);
  return value;
}

/**
 * Whether Pulse is on for a kb: true or false, else a typed error naming it. Anything else would
 * be read two ways (the upgrade asks `=== true`, the HTTP API for truthiness: a "false" from the
 * environment left a kb half on), and echoed by status answers the server SDK refuses.
 */
function checkedBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') {
    throw new PulseError('invalid_argument', `${name} must be true or false (got ${shownValue(value)}); turn a string from the environment into one first, e.g. value === 'true'`);
  }
  return value;
}

/**
 * A region the protocol knows (`isRegion`), else a typed error naming it, ending with `fix`: the
 * region goes into every token and API answer, which the server SDK refuses with any other.
 */
function checkedRegion(value: unknown, name: string, fix: string): Region {
  if (!isRegion(value)) throw new PulseError('invalid_argument', `${name} must be ${REGIONS.join(' or ')} (got ${shownValue(value)}); ${fix}`);
  return value;
}

/** `tokenTtlSeconds`, or the default 24 h: a lifetime `createPulseToken` could be asked for (else a typed error). */
function tokenLifetime(value: number | undefined): number {
  if (value === undefined) return 24 * 60 * 60;
  if (!isTokenLifetime(value)) {
    throw new PulseError('invalid_argument', `tokenTtlSeconds must be a number of seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS} (got ${shownValue(value)}); leave it out for 24 h`);
  }
  // Whole seconds, as an asked-for expiresIn: the answer says the lifetime the token has.
  return Math.floor(value);
}

/** A listen failure as a PulseError naming host:port, the system error as its cause. */
function listenError(error: Error, host: string, port: number): PulseError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const why =
    code === 'EADDRINUSE'
      ? 'the address is already in use (another process listens there: pick another port, or 0 for a free one)'
      : code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? 'no such local address'
          : error.message;
  return new PulseError('invalid_argument', `cannot listen on ${where}: ${why}${code ? ` (${code})` : ''}`, { cause: error });
}

/**
 * Resolves when the server has closed, or listens again: a start() overtook the stop, and Node
 * emits no 'close' for a server that listens (the stop would never settle).
 */
function closedOrListening(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const settle = (): void => {
      server.off('close', settle).off('listening', settle);
      resolve();
    };
    server.once('close', settle).once('listening', settle);
  });
}

/** Stops a server listening and resolves once it has closed (it has no connections yet). */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function closedError(): PulseError {
  return new PulseError('disconnected', 'the service is closed (close() is final): create a new one with createPulseService()');
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

/** The connection of a socket, stored on the socket itself (no lookup table per connection). */

/**
 * Starts a local Pulse service on a real loopback port.
 * @throws PulseError `invalid_argument` for an option it cannot take (the message names it: an
 * empty `kbId`, `apiKey` or `secret`, a limit that is not a positive number, ...), and when
 * `host`:`port` cannot be listened on (in use, no permission; the system error is its `cause`).
 *
 * @param options - port and host, tenants (`kbId`, `apiKey`), token secret and lifetime, `clock`, limits, inspector.
 * @example
 * ```ts
 * const service = await createPulseService();
 * const token = await service.createToken('alice');
 * const pulse = new Pulse({ kbId: service.kbId, token, endpoint: service.wsUrl });
 * // ...
 * await service.close();
 * ```
 */
export async function createPulseService(options: PulseServiceOptions = {}): Promise<PulseService> {
  const service = new LocalPulseService(options);
  await service.start();
  return service;
}
