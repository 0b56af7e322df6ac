/**
 * Test fixtures for the local service: a raw `ws` client that records every frame and can
 * wait for the next one matching a predicate, plus HTTP helpers. Plain `ws`, not our client
 * SDK, so the service is checked on its own.
 */
import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { buildConnectUrl, type ServerFrame } from '@openkbs-pulse/protocol';
import type { PulseService, PulseServiceEvents } from '../src/index.js';

/** A received frame, loosely typed for assertions. */
export type Frame = Record<string, unknown> & { type: ServerFrame['type'] };

interface Waiter {
  predicate: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
}

/** A raw WebSocket client that collects frames. */
export class RawClient {
  /** Every frame received, in order. */
  readonly frames: Frame[] = [];
  /** Frames not yet taken by {@link RawClient.next}. */
  private unread: Frame[] = [];
  private waiters: Waiter[] = [];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      const waiter = this.waiters.find((w) => w.predicate(frame));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(frame);
      } else this.unread.push(frame);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** The next unread frame matching `predicate` (waits up to `timeoutMs`). */
  next<T = Frame>(predicate: (frame: Frame) => boolean = () => true, timeoutMs = 3000): Promise<T> {
    const index = this.unread.findIndex(predicate);
    if (index >= 0) {
      const [frame] = this.unread.splice(index, 1);
      return Promise.resolve(frame as T);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Next frame of a type. */
  nextType<T = Frame>(type: string, extra: (frame: Frame) => boolean = () => true): Promise<T> {
    return this.next<T>((frame) => frame.type === type && extra(frame));
  }

  /** Unread frames (not taken by next). */
  pending(): Frame[] {
    return [...this.unread];
  }

  send(frame: object | string | Buffer): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /**
   * Round trip barrier: sends a ping and waits for its pong. Every frame the service wrote to
   * this socket before handling the ping has arrived once this resolves.
   */
  async sync(): Promise<void> {
    this.send({ action: 'ping' });
    await this.nextType('pong');
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

const openClients = new Set<RawClient>();

/** Opens a raw client on `url`; rejects with the refusal if the upgrade fails. */
export function openClient(url: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const client = new RawClient(ws);
    openClients.add(client);
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      reject(new Error(`upgrade refused with ${res.statusCode}`));
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** Connects `userId` to the service (minting a token unless one is given). */
export async function connect(
  service: PulseService,
  userId = 'user',
  options: { channel?: string; kbId?: string; token?: string } = {},
): Promise<RawClient> {
  const kbId = options.kbId ?? service.kbId;
  const token = options.token ?? (await service.createToken(userId, { kbId }));
  return openClient(buildConnectUrl(service.wsUrl, { kbId, token, channel: options.channel }));
}

/** Terminates every client opened by these helpers (call in afterEach). */
export function closeAllClients(): void {
  for (const client of openClients) client.close();
  openClients.clear();
}

/** The HTTP status and JSON body of a refused upgrade (fails the test if it is accepted). */
export function upgradeRefusal(url: string): Promise<{ status: number; body: { error?: string; code?: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: string } });
      });
    });
    ws.once('error', () => undefined);
  });
}

/** POSTs an API request to the service. */
export async function api<T = Record<string, unknown>>(
  service: PulseService,
  body: Record<string, unknown>,
): Promise<{ status: number; body: T }> {
  const response = await fetch(service.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kbId: service.kbId, apiKey: service.apiKey, ...body }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** The arguments of the next `name` event of the service (bounded wait). */
export function nextEvent<K extends keyof PulseServiceEvents>(
  service: PulseService,
  name: K,
  timeoutMs = 3000,
): Promise<Parameters<PulseServiceEvents[K]>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      service.off(name, listener as never);
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: Parameters<PulseServiceEvents[K]>) => {
      clearTimeout(timer);
      service.off(name, listener as never);
      resolve(args);
    };
    service.on(name, listener as never);
  });
}
