/**
 * The inspector of the local service: a page at `/_inspector` that shows, live, the tenants,
 * connections, channels, presence members and a log of what happens, and that can publish, drop
 * connections, pause and resume the service.
 *
 * The page uses the project's own client (`pulse.js`, served at `/_inspector/pulse.js`) against a
 * WebSocket of the inspector's own, `/_inspector/feed`, which speaks the Pulse wire protocol: the
 * page subscribes to the channel `inspector` and receives `snapshot`, `update` and `result`
 * messages; it sends actions by publishing the event `action` to that channel. The feed is apart
 * from the service's connections on purpose: it is not listed, not dropped by `dropAll()`, works
 * while the service is paused, and its tokens (signed with a key of its own) open nothing else.
 *
 * Cost: the service calls its tap only while at least one page is subscribed; with none, the
 * inspector holds no timer and records nothing. While open, events are batched and sent every
 * {@link FLUSH_MS}, and the lists it sends are capped (counts stay exact).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  parseClientAction,
  publishProblem,
  shownValue,
  type Clock,
  type ErrorCode,
  type JsonObject,
  type PublishResponse,
} from '@openkbs-pulse/protocol';
import { createTokenAuthority, secretKey, type TokenAuthority } from './auth.js';
import type { Tenant } from './channels.js';
import type { PulseConnection } from './connection.js';
import { crossSiteProblem, hostAllowed, readoutAllowed, requestHost, type AccessPolicy } from './access.js';
import type { PublishSource, ServiceEvent, ServiceTap } from './inspector-events.js';
import { presenceSnapshot } from './presence.js';
import { refusalCode, refuseHandshake, refuseUpgrade } from './refuse.js';
import { stampNow } from './stamp.js';
import { requestTarget, type RequestTarget } from './target.js';

/** The URL path of the page; the feed, session and assets live below it. */
export const INSPECTOR_PATH = '/_inspector';
/** The channel the page subscribes to on the feed. */
export const INSPECTOR_CHANNEL = 'inspector';
/** The kbId of the feed's tokens (no tenant has it: the tokens open nothing but the feed). */
const FEED_KB_ID = '_inspector';
/** Events are batched and sent this often while a page is open. */
export const FLUSH_MS = 200;
/** Log entries kept for a page that opens later (older ones are forgotten). */
export const LOG_CAPACITY = 1000;
/** Log entries sent in one batch; more are counted as `skipped` (the page says so). */
const MAX_BATCH = 300;
/** One sample per second, five minutes of them. */
const SAMPLE_EVERY = Math.round(1000 / FLUSH_MS);
const SAMPLE_CAPACITY = 300;
/** Rows of the lists sent to the page (their totals are exact). */
const MAX_ROWS = 200;
/** JSON previews (message data, member data) are cut to this many characters. */
const MAX_PREVIEW = 500;
/** Presence members listed over all channels (each channel's count stays exact). */
const MAX_MEMBERS = 2000;
/**
 * Channel names listed in a connection's row, subscriptions and presence each (their counts stay
 * exact): a connection may hold 1,000 subscriptions of 256 characters, and 200 whole rows of
 * them made a snapshot of 50 MB.
 */
const MAX_ROW_NAMES = 10;
/** User ids (any string a token was minted for) are cut to this many characters. */
const MAX_NAME = 200;
/** One-line summaries are cut to this many characters. */
const MAX_TEXT = 1000;
// With these caps a snapshot stays well under the 4 MiB a client accepts in one frame.
/** A page whose socket has this much unsent data is dropped (it reconnects and gets a fresh snapshot). */
const MAX_FEED_BUFFER = 4 * 1024 * 1024;
/** Feed frames carry the data of an inspector publish inside an action: a larger bound than 32 KB. */
const MAX_FEED_FRAME = 256 * 1024;
const FEED_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/** What the inspector needs from the service. */
export interface InspectorBackend {
  /** The service's access rules: the inspector is a read-out like `/stats`. */
  readonly access: AccessPolicy;
  readonly clock: Clock;
  readonly paused: boolean;
  /** Whether the service listens: a feed whose upgrade ends while it is stopped is refused. */
  readonly listening: boolean;
  tenants(): Iterable<Tenant>;
  tenant(kbId: string): Tenant | undefined;
  connections(): Iterable<PulseConnection>;
  /** When the service closes a connection (ms since epoch). */
  closesAt(connection: PulseConnection): number;
  pause(): void;
  resume(): void;
  kill(connectionId: string): boolean;
  dropAll(): number;
  publish(tenant: Tenant, channel: string, event: string, data: JsonObject | null | undefined, from: PublishSource, timestamp: number): PublishResponse;
  /** Installs (or with `undefined` removes) the service's tap. */
  setTap(tap: ServiceTap | undefined): void;
}

/** Kinds of log entries (the page filters on them). */
export type LogKind = 'connect' | 'disconnect' | 'subscribe' | 'unsubscribe' | 'publish' | 'presence' | 'refused' | 'action';

/** One line of the log, as the page receives it. */
export interface LogEntry {
  seq: number;
  /** Service clock, ms since epoch. */
  time: number;
  kind: LogKind;
  kbId?: string;
  channel?: string;
  userId?: string;
  connectionId?: string;
  /** One-line summary. */
  text: string;
  /** Error code of a refusal. */
  code?: string;
  /** JSON of the message or member data (cut to a few hundred characters). */
  detail?: string;
}

/** One point of the chart: running totals at a time. */
export interface Sample {
  time: number;
  published: number;
  connections: number;
}

interface FeedClient {
  ws: WebSocket;
  subscribed: boolean;
}

/** A refused request: answered with `status` and a JSON `{ error, code }` body. */
interface Refusal {
  status: number;
  code: ErrorCode;
  error: string;
}

type ActionResult = { ok: true; text: string; delivered?: number } | { ok: false; code: ErrorCode; error: string };

function preview(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = shownValue(value);
  }
  return text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)}…` : text;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function stringField(data: JsonObject, field: string): string | undefined {
  const value = data[field];
  return typeof value === 'string' ? value : undefined;
}

/** Where the page's files are: `inspector/` beside `src/` and `dist/` in the package. */
const ASSETS_DIR = fileURLToPath(new URL('../inspector/', import.meta.url));
const ASSETS: Record<string, { file: string; type: string }> = {
  [`${INSPECTOR_PATH}`]: { file: 'inspector.html', type: 'text/html; charset=utf-8' },
  [`${INSPECTOR_PATH}/`]: { file: 'inspector.html', type: 'text/html; charset=utf-8' },
  [`${INSPECTOR_PATH}/inspector.js`]: { file: 'inspector.js', type: 'text/javascript; charset=utf-8' },
  [`${INSPECTOR_PATH}/inspector.css`]: { file: 'inspector.css', type: 'text/css; charset=utf-8' },
};

/**
 * Finds `pulse.js`: the `openkbs-pulse` package seen from this package or from the working
 * directory (an app that uses the client has it), else the client beside it in this repository.
 */
export function findPulseScript(): string | undefined {
  for (const base of [import.meta.url, pathToFileURL(join(process.cwd(), 'package.json')).href]) {
    try {
      const found = createRequire(base).resolve('openkbs-pulse/pulse.js');
      if (existsSync(found)) return found;
    } catch {
      // not installed there
    }
  }
  const sibling = fileURLToPath(new URL('../../client/pulse.js', import.meta.url));
  return existsSync(sibling) ? sibling : undefined;
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // The page runs only its own two scripts and talks only to this service.
  'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, refusal: Refusal): void {
  send(res, refusal.status, 'application/json; charset=utf-8', JSON.stringify({ error: refusal.error, code: refusal.code }));
}


/**
 * The cross-site rules of the service for the feed's upgrade, which also lets in the inspector's
 * own page wherever the service is reached (a LAN address when it listens on 0.0.0.0): an `Origin`
 * equal to the `Host`. Its token, from the guarded session, is what protects the feed; the
 * loopback `Host` rule still applies, so a DNS-rebinding page gets no further than before.
 */
function feedOriginProblem(req: IncomingMessage, access: AccessPolicy): string | undefined {
  const origin = req.headers.origin;
  const host = requestHost(req);
  if (origin !== undefined && host !== undefined && hostAllowed(host, access)) {
    try {
      if (new URL(origin).host === host.toLowerCase()) return undefined;
    } catch {
      // not a URL: the service's rules decide
    }
  }
  return crossSiteProblem(req, access);
}

/** The inspector of one service. */
export class Inspector {
  private readonly authority: TokenAuthority;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FEED_FRAME, perMessageDeflate: false, clientTracking: false }).on(
    'wsClientError',
    refuseHandshake,
  );
  private readonly feeds = new Set<FeedClient>();
  private readonly log: LogEntry[] = [];
  private readonly samples: Sample[] = [];
  private readonly assets = new Map<string, Buffer>();
  private pending: LogEntry[] = [];
  private skipped = 0;
  private seq = 0;
  private ticks = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Connections, channels or presence changed since the last state sent. */
  private structureDirty = false;
  /** Counters (published, delivered, paused) changed since the last update. */
  private countersDirty = false;
  private readonly tap: ServiceTap = (event) => this.record(event);

  constructor(private readonly backend: InspectorBackend) {
    this.authority = createTokenAuthority(secretKey(undefined), backend.clock);
  }

  /** Serves a request under {@link INSPECTOR_PATH}; false for any other path (not handled). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const path = requestTarget(req.url)?.pathname;
    if (path === undefined || (path !== INSPECTOR_PATH && !path.startsWith(`${INSPECTOR_PATH}/`))) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, { status: 405, code: 'invalid_message', error: 'the inspector answers GET only' });
      return true;
    }
    if (path === `${INSPECTOR_PATH}/session`) {
      void this.session(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, { status: 500, code: 'server_error', error: error instanceof Error ? error.message : 'internal error' });
      });
      return true;
    }
    if (path === `${INSPECTOR_PATH}/pulse.js`) {
      const file = findPulseScript();
      if (!file) {
        const hint = 'pulse.js not found: install openkbs-pulse beside @openkbs-pulse/mock-server, or build it (corepack pnpm --filter openkbs-pulse build)';
        send(res, 404, 'text/javascript; charset=utf-8', `throw new Error(${JSON.stringify(hint)});`);
        return true;
      }
      send(res, 200, 'text/javascript; charset=utf-8', readFileSync(file));
      return true;
    }
    const asset = ASSETS[path];
    if (!asset) {
      sendError(res, { status: 404, code: 'invalid_message', error: `no such inspector file: ${path.slice(0, 100)}` });
      return true;
    }
    let body = this.assets.get(asset.file);
    if (!body) {
      body = readFileSync(join(ASSETS_DIR, asset.file));
      this.assets.set(asset.file, body);
    }
    send(res, 200, asset.type, body);
    return true;
  }

  /** Takes a WebSocket upgrade to the feed; false for any other path (not handled). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = requestTarget(req.url);
    // Malformed or another path: the service takes it (and refuses it as it refuses any other).
    if (url?.pathname !== `${INSPECTOR_PATH}/feed`) return false;
    socket.on('error', () => socket.destroy());
    void this.upgrade(req, url, socket, head);
    return true;
  }

  /**
   * Closes every page's feed (service stopping); pages reconnect when it is back. Returns their
   * sockets: the service drops those that do not answer the close handshake after the grace it
   * gives its own connections (else a stalled tab held stop() for ws's 30 s close timer).
   */
  close(code: number, reason: string): WebSocket[] {
    const sockets: WebSocket[] = [];
    for (const feed of [...this.feeds]) {
      this.feeds.delete(feed);
      feed.ws.close(code, reason);
      sockets.push(feed.ws);
    }
    this.update();
    return sockets;
  }

  // -------------------------------------------------------------------------------------------
  // Session and feed

  private async session(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The rules of every read-out (access.ts); the answer carries no CORS header, so no other
    // origin can read a token even from a request it manages to send.
    const crossSite = crossSiteProblem(req, this.backend.access);
    if (crossSite) return sendError(res, { status: 403, code: 'forbidden', error: crossSite });
    if (!readoutAllowed(req, this.backend.access)) {
      return sendError(res, {
        status: 401,
        code: 'invalid_api_key',
        error: req.headers.authorization
          ? 'wrong API key: give the API key the service was started with (--api-key)'
          : 'the service listens beyond loopback: the inspector needs its API key (Authorization: Bearer <apiKey>)',
      });
    }
    // The address the page reached the service at (the service may listen on every interface).
    const endpoint = `ws://${requestHost(req) ?? '127.0.0.1'}${INSPECTOR_PATH}/feed`;
    const token = await this.authority.sign({ kbId: FEED_KB_ID, userId: 'inspector', region: 'us-east-1', endpoint }, FEED_TOKEN_TTL_SECONDS);
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ kbId: FEED_KB_ID, token, endpoint, channel: INSPECTOR_CHANNEL }));
  }

  private async upgrade(req: IncomingMessage, url: RequestTarget, socket: Duplex, head: Buffer): Promise<void> {
    const crossSite = feedOriginProblem(req, this.backend.access);
    if (crossSite) return refuseUpgrade(socket, 403, 'forbidden', crossSite);
    const verified = await this.authority.verify(url.searchParams.get('token') ?? '');
    if (socket.destroyed) return;
    if (!verified.ok) return refuseUpgrade(socket, 401, verified.code, `${verified.message}: get one from ${INSPECTOR_PATH}/session`);
    if (verified.claims.kbId !== FEED_KB_ID || url.searchParams.get('kbId') !== FEED_KB_ID) {
      return refuseUpgrade(socket, 403, 'kb_mismatch', `the inspector feed takes kbId ${FEED_KB_ID}`);
    }
    // stop() ran during the token check and closed the feeds it knew: one accepted now would be
    // in no drain list and hold stop() for as long as the page stays (as the service's upgrade).
    if (!this.backend.listening) return refuseUpgrade(socket, 503, 'server_error', 'service is stopping: the page reconnects once it is back');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const feed: FeedClient = { ws, subscribed: false };
      this.feeds.add(feed);
      ws.on('message', (data: RawData, isBinary: boolean) => this.receive(feed, data, isBinary));
      ws.on('close', () => {
        this.feeds.delete(feed);
        this.update();
      });
      ws.on('error', () => ws.terminate());
      if (url.searchParams.get('channel') === INSPECTOR_CHANNEL) this.subscribe(feed);
    });
  }

  private sendTo(feed: FeedClient, frame: object): void {
    const ws = feed.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify(frame));
    if (ws.bufferedAmount > MAX_FEED_BUFFER) {
      this.feeds.delete(feed);
      ws.terminate();
      this.update();
    }
  }

  private message(data: JsonObject): object {
    return { type: 'message', channel: INSPECTOR_CHANNEL, data, timestamp: stampNow(this.backend.clock) };
  }

  private receive(feed: FeedClient, data: RawData, isBinary: boolean): void {
    const refuse = (code: ErrorCode, error: string) => this.sendTo(feed, { type: 'error', error, code });
    if (isBinary) return refuse('invalid_message', 'frames must be JSON text');
    const parsed = parseClientAction(String(data), MAX_FEED_FRAME);
    if (!parsed.ok) return refuse(parsed.code as ErrorCode, parsed.message);
    const action = parsed.value;
    if (action.action === 'ping') return this.sendTo(feed, { type: 'pong', timestamp: stampNow(this.backend.clock) });
    if (action.channel !== INSPECTOR_CHANNEL) {
      return refuse('invalid_message', `the inspector feed has one channel, "${INSPECTOR_CHANNEL}"`);
    }
    switch (action.action) {
      case 'subscribe':
        return this.subscribe(feed);
      case 'unsubscribe':
        feed.subscribed = false;
        return this.update();
      case 'publish':
        if (action.event !== 'action' || !action.data) {
          return refuse('invalid_message', 'publish the event "action" with { op, ... } to act');
        }
        return this.act(feed, action.data);
      default:
        return refuse('invalid_message', 'the inspector feed has no presence');
    }
  }

  private subscribe(feed: FeedClient): void {
    feed.subscribed = true;
    this.update();
    this.sendTo(
      feed,
      this.message({ type: 'snapshot', state: this.state(), log: this.log.slice() as unknown as JsonObject[], samples: this.samples.slice() as unknown as JsonObject[] }),
    );
  }

  /** Attaches the tap and the timer while a page is subscribed, detaches both when none is. */
  private update(): void {
    let open = false;
    for (const feed of this.feeds) if (feed.subscribed) open = true;
    if (open && this.timer === undefined) {
      this.backend.setTap(this.tap);
      this.sample();
      this.timer = setInterval(() => this.flush(), FLUSH_MS);
      this.timer.unref?.();
    } else if (!open && this.timer !== undefined) {
      this.backend.setTap(undefined);
      clearInterval(this.timer);
      this.timer = undefined;
      this.pending = [];
      this.skipped = 0;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Recording

  private push(entry: Omit<LogEntry, 'seq' | 'time'>): void {
    const full: LogEntry = { seq: ++this.seq, time: this.backend.clock.now(), ...entry, text: clip(entry.text, MAX_TEXT) };
    if (full.userId !== undefined) full.userId = clip(full.userId, MAX_NAME);
    this.log.push(full);
    if (this.log.length > LOG_CAPACITY) this.log.splice(0, this.log.length - LOG_CAPACITY);
    if (this.pending.length >= MAX_BATCH) {
      this.pending.shift();
      this.skipped++;
    }
    this.pending.push(full);
  }

  private record(event: ServiceEvent): void {
    switch (event.kind) {
      case 'connect': {
        const c = event.connection;
        this.structureDirty = true;
        const channels = c.channelCount > 0 ? ` to ${c.channelNames().join(', ')}` : '';
        return this.push({ kind: 'connect', kbId: c.kbId, userId: c.userId, connectionId: c.id, text: `${c.userId} connected${channels}` });
      }
      case 'disconnect': {
        const c = event.connection;
        this.structureDirty = true;
        return this.push({
          kind: 'disconnect',
          kbId: c.kbId,
          userId: c.userId,
          connectionId: c.id,
          text: `${c.userId} disconnected: ${event.code}${event.reason ? ` ${event.reason}` : ''}`,
        });
      }
      case 'subscribe':
      case 'unsubscribe': {
        const c = event.connection;
        this.structureDirty = true;
        const verb = event.kind === 'subscribe' ? 'subscribed to' : 'unsubscribed from';
        return this.push({ kind: event.kind, kbId: c.kbId, channel: event.channel, userId: c.userId, connectionId: c.id, text: `${c.userId} ${verb} ${event.channel}` });
      }
      case 'publish': {
        this.countersDirty = true;
        const from = event.from;
        const who = typeof from === 'object' ? from.userId : from === 'http' ? 'HTTP API' : 'inspector';
        return this.push({
          kind: 'publish',
          kbId: event.kbId,
          channel: event.channel,
          ...(typeof from === 'object' ? { userId: from.userId, connectionId: from.id } : {}),
          text: `${event.event} on ${event.channel} from ${who} (${typeof from === 'object' ? 'WebSocket' : from === 'http' ? 'HTTP' : 'inspector'}), delivered to ${event.delivered}`,
          detail: preview(event.data),
        });
      }
      case 'presence': {
        this.structureDirty = true;
        const { action, channel, member } = event.change;
        return this.push({
          kind: 'presence',
          kbId: event.kbId,
          channel,
          userId: member.userId,
          connectionId: member.connectionId,
          text: `${member.userId} ${action === 'enter' ? 'entered' : action === 'leave' ? 'left' : 'updated'} presence in ${channel}`,
          detail: preview(member.data),
        });
      }
      case 'refused': {
        const c = event.connection;
        const where = event.site === 'frame' ? `frame from ${c?.userId ?? 'a client'}` : event.site === 'upgrade' ? 'connection' : 'HTTP API call';
        return this.push({
          kind: 'refused',
          ...(c ? { kbId: c.kbId, userId: c.userId, connectionId: c.id } : event.kbId ? { kbId: event.kbId } : {}),
          code: event.code,
          text: `${where} refused: ${event.message}`,
        });
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // What the page receives

  private sample(): void {
    let published = 0;
    let connections = 0;
    for (const tenant of this.backend.tenants()) {
      published += tenant.published;
      connections += tenant.connections;
    }
    this.samples.push({ time: this.backend.clock.now(), published, connections });
    if (this.samples.length > SAMPLE_CAPACITY) this.samples.shift();
  }

  private tenantRows(): JsonObject[] {
    const rows: JsonObject[] = [];
    for (const t of this.backend.tenants()) {
      rows.push({ kbId: t.kbId, enabled: t.enabled, region: t.region, connections: t.connections, channels: t.channels.size, published: t.published, delivered: t.delivered });
    }
    return rows;
  }

  /** Everything the page shows, lists capped at {@link MAX_ROWS} rows (totals exact). */
  private state(): JsonObject {
    const connections: JsonObject[] = [];
    let connectionTotal = 0;
    for (const c of this.backend.connections()) {
      if (connectionTotal++ >= MAX_ROWS) continue;
      const channels = c.channelNames();
      const present = c.present ? [...c.present] : [];
      connections.push({
        connectionId: c.id,
        kbId: c.kbId,
        userId: clip(c.userId, MAX_NAME),
        channels: channels.slice(0, MAX_ROW_NAMES),
        channelCount: channels.length,
        presence: present.slice(0, MAX_ROW_NAMES),
        presenceCount: present.length,
        connectedAt: c.connectedAt,
        closesAt: this.backend.closesAt(c),
      });
    }
    const channels: JsonObject[] = [];
    let channelTotal = 0;
    let membersLeft = MAX_MEMBERS;
    for (const tenant of this.backend.tenants()) {
      for (const [name, state] of tenant.channels) {
        if (channelTotal++ >= MAX_ROWS) continue;
        const { count, members: listed } = presenceSnapshot(state);
        const members = listed.slice(0, membersLeft);
        membersLeft -= members.length;
        channels.push({
          kbId: tenant.kbId,
          channel: name,
          subscribers: state.subscribers.size,
          presenceCount: count,
          members: members.map((m) => ({ userId: clip(m.userId, MAX_NAME), connectionId: m.connectionId, connectedAt: m.connectedAt, data: preview(m.data) ?? null })),
        });
      }
    }
    return {
      paused: this.backend.paused,
      tenants: this.tenantRows(),
      connections,
      connectionTotal,
      channels,
      channelTotal,
    };
  }

  private flush(): void {
    const data: JsonObject = { type: 'update' };
    let any = false;
    if (this.pending.length > 0) {
      data.log = this.pending as unknown as JsonObject[];
      if (this.skipped > 0) data.skipped = this.skipped;
      this.pending = [];
      this.skipped = 0;
      any = true;
    }
    if (this.structureDirty) {
      data.state = this.state();
      this.structureDirty = this.countersDirty = false;
      any = true;
    } else if (this.countersDirty) {
      data.counters = { paused: this.backend.paused, tenants: this.tenantRows() };
      this.countersDirty = false;
      any = true;
    }
    if (++this.ticks % SAMPLE_EVERY === 0) {
      this.sample();
      data.sample = this.samples[this.samples.length - 1] as unknown as JsonObject;
      any = true;
    }
    if (!any) return;
    const frame = this.message(data);
    for (const feed of [...this.feeds]) if (feed.subscribed) this.sendTo(feed, frame);
  }

  // -------------------------------------------------------------------------------------------
  // Actions

  private act(feed: FeedClient, data: JsonObject): void {
    const id = data.id;
    const result = this.run(data);
    if (result.ok) this.push({ kind: 'action', text: `inspector: ${result.text}` });
    else this.push({ kind: 'refused', code: result.code, text: `inspector ${shownValue(data.op).slice(0, 40)} refused: ${result.error}` });
    this.countersDirty = true;
    this.sendTo(feed, this.message({ type: 'result', id: typeof id === 'string' || typeof id === 'number' ? id : null, ...result }));
  }

  private run(data: JsonObject): ActionResult {
    const fail = (code: ErrorCode, error: string): ActionResult => ({ ok: false, code, error });
    switch (data.op) {
      case 'publish': {
        const kbId = stringField(data, 'kbId') ?? '';
        const tenant = this.backend.tenant(kbId);
        if (!tenant) return fail('invalid_argument', `unknown kbId "${kbId.slice(0, 100)}": pick one of the tenants listed`);
        if (!tenant.enabled) return fail('pulse_not_enabled', `Elastic Pulse is not enabled for ${kbId}`);
        // The one publish rule (the HTTP API's, the WebSocket's and every SDK's).
        const timestamp = stampNow(this.backend.clock);
        const problem = publishProblem(data.channel, data.event, data.data, timestamp);
        if (problem) return fail(refusalCode(problem), problem.message);
        const channel = data.channel as string;
        const event = data.event as string;
        const payload = data.data as JsonObject | null | undefined;
        const { delivered } = this.backend.publish(tenant, channel, event, payload, 'inspector', timestamp);
        return { ok: true, text: `published ${event} to ${channel} (${kbId}), delivered to ${delivered}`, delivered };
      }
      case 'kill': {
        const connectionId = stringField(data, 'connectionId') ?? '';
        if (!this.backend.kill(connectionId)) return fail('invalid_argument', `no open connection "${connectionId.slice(0, 100)}" (it may have closed already)`);
        return { ok: true, text: `dropped connection ${connectionId}` };
      }
      case 'dropAll':
        return { ok: true, text: `dropped all connections (${this.backend.dropAll()})` };
      case 'pause':
        this.backend.pause();
        return { ok: true, text: 'paused the service (frames are read and ignored, nothing is sent)' };
      case 'resume':
        this.backend.resume();
        return { ok: true, text: 'resumed the service' };
      default:
        return fail('invalid_argument', 'op must be publish, kill, dropAll, pause or resume');
    }
  }
}
