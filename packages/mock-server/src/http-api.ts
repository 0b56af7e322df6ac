/**
 * The HTTP API backends call: `POST /` with `{ action, kbId, apiKey, ... }` (actions from
 * `API_ACTIONS`) and `GET /stats`. It is for backends, not browsers: no CORS headers, JSON bodies
 * only (so a cross-origin page would have to preflight, and preflights are refused), foreign
 * `Origin`s and, on loopback, foreign `Host`s refused (access.ts). Every request is bounded in
 * size and time, and every input gets a 4xx with `{ error, code }`, never a 5xx or a crash.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  API_ACTIONS,
  ERROR_STATUS,
  MAX_NESTING_DEPTH,
  channelNameProblem,
  isRegion,
  jsonValueProblem,
  publishProblem,
  tokenRequestProblem,
  utf8Text,
  type ApiActionName,
  type ApiResponses,
  type Clock,
  type ErrorCode,
  type JsonObject,
  type Region,
} from '@openkbs-pulse/protocol';
import { refusalCode } from './refuse.js';
import { stampNow } from './stamp.js';
import { crossSiteProblem, readoutAllowed, secretMatches, type AccessPolicy } from './access.js';
import type { Tenant } from './channels.js';
import { presenceSnapshot } from './presence.js';
import type { ServiceStats } from './stats.js';
import { requestTarget } from './target.js';

/** Largest request body read (a publish is further limited: its message frame to 32 KB, see `messageFrameBytes`). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What the API needs from the service. */
export interface ApiBackend {
  tenant(kbId: string): Tenant | undefined;
  /** The service clock: a publish's size is counted with the time it will be stamped with. */
  readonly clock: Clock;
  /** The WebSocket endpoint tokens point to. */
  readonly wsUrl: string;
  readonly tokenTtlSeconds: number;
  mintToken(tenant: Tenant, userId: string, expiresIn: number): Promise<string>;
  /** Fans a message out to the channel's subscribers, stamped with `timestamp` (the time its size was counted with). */
  publish(tenant: Tenant, channel: string, event: string, data: JsonObject | null | undefined, timestamp: number): ApiResponses['pulsePublish'];
  stats(): ServiceStats;
  /** The cross-site rules of the service. */
  readonly access: AccessPolicy;
  /** Longest time a request body may take to arrive (then 408 and the connection is closed). */
  readonly requestTimeoutMs: number;
  /** Told of every refused call (the inspector logs them). */
  refused?(code: ErrorCode, message: string): void;
}

class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// No Access-Control-* header on any answer (issue 12): the API is for backends, and a page on
// another origin must neither read its answers nor pass a preflight.
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** How long a refused request's socket may take to read its answer before it is destroyed. */
const LINGER_MS = 1000;

/**
 * Answers and closes the connection without reading the rest of the request (an oversized or
 * too slow body): the answer is flushed, then the socket is ended and, shortly after, destroyed,
 * so the peer cannot keep it busy.
 */
function sendErrorAndClose(req: IncomingMessage, res: ServerResponse, code: ErrorCode, error: string, status: number): void {
  const socket = req.socket;
  req.pause();
  res.shouldKeepAlive = false;
  res.setHeader('Connection', 'close');
  res.once('finish', () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
  sendError(res, code, error, status);
}

function sendError(res: ServerResponse, code: ErrorCode, error: string, status: number = ERROR_STATUS[code] || 500): void {
  sendJson(res, status, { error, code });
}

/**
 * Reads the body, at most {@link MAX_BODY_BYTES} within `timeoutMs`. Past either bound it answers
 * (413 or 408), stops reading and closes the connection, and resolves undefined.
 */
function readBody(req: IncomingMessage, res: ServerResponse, timeoutMs: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) {
    sendErrorAndClose(req, res, 'message_too_large', `request body is ${declared} bytes, over the ${MAX_BODY_BYTES}-byte limit`, 413);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (code: ErrorCode, error: string, status: number) => {
      clearTimeout(timer);
      req.off('data', onData);
      sendErrorAndClose(req, res, code, error, status);
      resolve(undefined);
    };
    const timer = setTimeout(() => stop('invalid_message', `request body did not arrive within ${timeoutMs} ms`, 408), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) stop('message_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`, 413);
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const ACTIONS = new Set<string>(Object.values(API_ACTIONS));

function check(problem: string | undefined): void {
  if (problem) throw new ApiFailure('invalid_message', problem);
}

function requireEnabled(tenant: Tenant): void {
  if (!tenant.enabled) throw new ApiFailure('pulse_not_enabled', 'Elastic Pulse is not enabled for this knowledge base');
}

async function runAction(backend: ApiBackend, action: ApiActionName, body: JsonObject, tenant: Tenant): Promise<unknown> {
  const endpoint = backend.wsUrl;
  switch (action) {
    case 'createPulseToken': {
      requireEnabled(tenant);
      // The SDK's getToken checks by the same rule before sending.
      check(tokenRequestProblem(body.userId, body.expiresIn));
      const userId = body.userId as string;
      const expiresIn = body.expiresIn === undefined ? backend.tokenTtlSeconds : Math.floor(body.expiresIn as number);
      const token = await backend.mintToken(tenant, userId, expiresIn);
      return { token, endpoint, region: tenant.region, expiresIn } satisfies ApiResponses['createPulseToken'];
    }
    case 'pulsePublish': {
      requireEnabled(tenant);
      // The one check of a publish (@openkbs-pulse/protocol), as on the WebSocket path and in
      // every SDK: names, shape, depth, __proto__ keys, and both frames at most 32 KB.
      const timestamp = stampNow(backend.clock);
      const problem = publishProblem(body.channel, body.event, body.data, timestamp);
      if (problem) throw new ApiFailure(refusalCode(problem), problem.message);
      return backend.publish(tenant, body.channel as string, body.event as string, body.data as JsonObject | null | undefined, timestamp);
    }
    case 'pulsePresence': {
      check(channelNameProblem(body.channel));
      return presenceSnapshot(tenant.channels.get(body.channel as string)) satisfies ApiResponses['pulsePresence'];
    }
    case 'pulseStatus':
      return {
        enabled: tenant.enabled,
        region: tenant.region,
        endpoint,
        connections: tenant.connections,
        channels: tenant.channels.size,
      } satisfies ApiResponses['pulseStatus'];
    case 'pulseChannels':
      return {
        channels: [...tenant.channels].map(([channel, state]) => ({
          channel,
          subscribers: state.subscribers.size,
          presence: state.members.size,
        })),
      } satisfies ApiResponses['pulseChannels'];
    case 'enableElasticPulse':
    case 'disableElasticPulse': {
      if (action === 'enableElasticPulse' && body.region !== undefined) {
        if (!isRegion(body.region)) throw new ApiFailure('invalid_message', 'region must be us-east-1 or eu-central-1');
        tenant.region = body.region as Region;
      }
      tenant.enabled = action === 'enableElasticPulse';
      return { enabled: tenant.enabled, region: tenant.region, endpoint } satisfies ApiResponses['enableElasticPulse'];
    }
  }
}

/** Creates the request listener of the HTTP API. */
export function createApiHandler(backend: ApiBackend): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(backend, req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      const code = error instanceof ApiFailure ? error.code : 'server_error';
      const message = error instanceof ApiFailure ? error.message : error instanceof Error ? error.message : 'internal error';
      backend.refused?.(code, message);
      sendError(res, code, message);
    });
  };
}

/** Whether a Content-Type header names JSON (`application/json`, parameters allowed). */
function isJsonType(header: string | undefined): boolean {
  return header !== undefined && header.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';
}

async function handle(backend: ApiBackend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const crossSite = crossSiteProblem(req, backend.access);
  if (crossSite) throw new ApiFailure('forbidden', crossSite);
  // Absolute form (`POST http://host:port/`) is the same route as origin form (target.ts).
  const path = requestTarget(req.url)?.pathname;
  if (req.method === 'OPTIONS') {
    // A CORS preflight: only browsers send it, and the API is not for browsers.
    throw new ApiFailure('forbidden', 'the HTTP API is for backends and answers no CORS preflight: call it from your server (the server SDK), not from a page');
  }
  if (req.method === 'GET' && path === '/stats') {
    if (!readoutAllowed(req, backend.access)) {
      throw new ApiFailure('invalid_api_key', 'GET /stats needs Authorization: Bearer <apiKey> when the service listens beyond loopback');
    }
    return sendJson(res, 200, backend.stats());
  }
  if (path !== '/') {
    // The usual cause is a path in apiUrl (`http://127.0.0.1:PORT/api`): say where the API is.
    const error = `no Pulse API at ${(path ?? req.url ?? '').slice(0, 100)}: the HTTP API is POST / (apiUrl is the service's root URL, without a path)`;
    return sendJson(res, 404, { error, code: 'invalid_message' });
  }
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST with a JSON body', code: 'invalid_message' });
  if (!isJsonType(req.headers['content-type'])) {
    // Browsers send text/plain, form and multipart bodies cross-origin without a preflight: refused.
    const error = 'Content-Type must be application/json (the server SDK sends it)';
    return sendJson(res, 415, { error, code: 'invalid_message' });
  }

  const raw = await readBody(req, res, backend.requestTimeoutMs);
  if (raw === undefined) return;
  // Buffer#toString put U+FFFD in place of bytes that are not UTF-8, and the changed publish was
  // delivered; a WebSocket text frame with them is refused too (close 1007). A BOM is kept, so
  // JSON.parse refuses it as before (JSON text has none).
  const text = utf8Text(raw);
  if (text === undefined) {
    throw new ApiFailure('invalid_message', 'body must be UTF-8 JSON: it holds bytes that are not UTF-8 (send the JSON text encoded as UTF-8, as JSON.stringify and fetch do)');
  }
  let body: unknown;
  try {
    // V8's JSON.parse does not recurse, so any depth parses; the depth and __proto__ rules of
    // frames are applied right after, before anything walks the value.
    body = JSON.parse(text);
  } catch {
    throw new ApiFailure('invalid_message', 'body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiFailure('invalid_message', 'body must be a JSON object');
  const shape = jsonValueProblem(body, MAX_NESTING_DEPTH, 'body');
  if (shape) throw new ApiFailure('invalid_message', shape);
  const fields = body as JsonObject;
  const action = fields.action;
  if (typeof action !== 'string' || !ACTIONS.has(action)) throw new ApiFailure('invalid_message', 'Invalid action');
  const tenant = typeof fields.kbId === 'string' ? backend.tenant(fields.kbId) : undefined;
  // Constant time, and the same answer for an unknown kbId as for a wrong key.
  if (!secretMatches(fields.apiKey, tenant?.apiKey ?? '') || !tenant) {
    throw new ApiFailure('invalid_api_key', 'invalid kbId or apiKey');
  }
  sendJson(res, 200, await runAction(backend, action as ApiActionName, fields, tenant));
}
