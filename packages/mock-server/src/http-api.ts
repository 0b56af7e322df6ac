/**
 * The HTTP API backends call: `POST /` with `{ action, kbId, apiKey, ... }` (actions from
 * `API_ACTIONS`), `GET /stats`, and CORS preflight answers.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  API_ACTIONS,
  ERROR_STATUS,
  MAX_MESSAGE_BYTES,
  channelNameProblem,
  eventNameProblem,
  isRegion,
  messageFrameBytes,
  publishDataProblem,
  type ApiActionName,
  type ApiResponses,
  type ErrorCode,
  type JsonObject,
  type Region,
} from '@openkbs-pulse/protocol';
import type { Tenant } from './channels.js';
import { presenceSnapshot } from './presence.js';
import type { ServiceStats } from './stats.js';

/** Largest request body read (a publish is further limited: its message frame to 32 KB, see `messageFrameBytes`). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What the API needs from the service. */
export interface ApiBackend {
  tenant(kbId: string): Tenant | undefined;
  /** The WebSocket endpoint tokens point to. */
  readonly wsUrl: string;
  readonly tokenTtlSeconds: number;
  mintToken(tenant: Tenant, userId: string, expiresIn: number): Promise<string>;
  /** Fans a message out to the channel's subscribers. */
  publish(tenant: Tenant, channel: string, event: string, data: JsonObject | null | undefined): ApiResponses['pulsePublish'];
  stats(): ServiceStats;
}

class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
  'Access-Control-Max-Age': '600',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...CORS_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, code: ErrorCode, error: string, status: number = ERROR_STATUS[code] || 500): void {
  sendJson(res, status, { error, code });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiFailure('message_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const ACTIONS = new Set<string>(Object.values(API_ACTIONS));

function requireString(body: JsonObject, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) throw new ApiFailure('invalid_message', `${field} must be a non-empty string`);
  return value;
}

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
      const userId = requireString(body, 'userId');
      let expiresIn = backend.tokenTtlSeconds;
      if (body.expiresIn !== undefined) {
        if (typeof body.expiresIn !== 'number' || !Number.isFinite(body.expiresIn) || body.expiresIn <= 0) {
          throw new ApiFailure('invalid_message', 'expiresIn must be a positive number of seconds');
        }
        expiresIn = Math.floor(body.expiresIn);
      }
      const token = await backend.mintToken(tenant, userId, expiresIn);
      return { token, endpoint, region: tenant.region, expiresIn } satisfies ApiResponses['createPulseToken'];
    }
    case 'pulsePublish': {
      requireEnabled(tenant);
      check(channelNameProblem(body.channel));
      check(eventNameProblem(body.event));
      const event = body.event as string;
      check(publishDataProblem(event, body.data));
      const channel = body.channel as string;
      const data = body.data as JsonObject | null | undefined;
      // The limit applies to the frame subscribers receive, as for a publish over WebSocket.
      const bytes = messageFrameBytes(channel, event, data);
      if (bytes > MAX_MESSAGE_BYTES) {
        throw new ApiFailure('message_too_large', `message frame is ${bytes} bytes, over the ${MAX_MESSAGE_BYTES}-byte limit`);
      }
      return backend.publish(tenant, channel, event, data);
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
      if (error instanceof ApiFailure) sendError(res, error.code, error.message);
      else sendError(res, 'server_error', error instanceof Error ? error.message : 'internal error');
    });
  };
}

async function handle(backend: ApiBackend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'OPTIONS') {
    res.writeHead(204, CORS_HEADERS);
    res.end();
    return;
  }
  if (req.method === 'GET' && path === '/stats') return sendJson(res, 200, backend.stats());
  if (path !== '/') return sendJson(res, 404, { error: 'not found', code: 'invalid_message' });
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST with a JSON body', code: 'invalid_message' });

  const raw = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiFailure('invalid_message', 'body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiFailure('invalid_message', 'body must be a JSON object');
  const fields = body as JsonObject;
  const action = fields.action;
  if (typeof action !== 'string' || !ACTIONS.has(action)) throw new ApiFailure('invalid_message', 'Invalid action');
  const tenant = typeof fields.kbId === 'string' ? backend.tenant(fields.kbId) : undefined;
  if (!tenant || typeof fields.apiKey !== 'string' || fields.apiKey !== tenant.apiKey) {
    throw new ApiFailure('invalid_api_key', 'invalid kbId or apiKey');
  }
  sendJson(res, 200, await runAction(backend, action as ApiActionName, fields, tenant));
}
