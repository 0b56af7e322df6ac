/**
 * A raw `ws` client for root tests: records every text frame (raw and parsed with the
 * protocol's own `parseServerFrame`) and waits for the next one. Plus `upgradeRefusal()`, which
 * reads the HTTP status and JSON body of a refused WebSocket upgrade.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { parseServerFrame, type ParseResult, type ServerFrame } from '@openkbs-pulse/protocol';
import { WebSocket, type WsWebSocket } from './ws.js';

/** One received frame: the raw text and the protocol parser's verdict. */
export interface Received {
  text: string;
  parsed: ParseResult<ServerFrame>;
}

export class RawSocket {
  readonly received: Received[] = [];
  private readIndex = 0;
  private wake: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  isClosed = false;

  constructor(readonly ws: WsWebSocket) {
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.received.push({ text, parsed: parseServerFrame(text) });
      this.wake?.();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code: number, reason: Buffer) => {
        this.isClosed = true;
        this.wake?.();
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** The next unread frame (in arrival order), waiting up to `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (this.readIndex >= this.received.length) {
      if (this.isClosed) throw new Error('socket closed while waiting for a frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.received[this.readIndex++]!;
  }

  /** The next frame whose parsed value matches `predicate`, skipping others. */
  async nextMatching(predicate: (frame: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (frame.parsed.ok && predicate(frame.parsed.value)) return frame.parsed.value;
    }
  }

  send(payload: string | Uint8Array): void {
    this.ws.send(payload, { binary: typeof payload !== 'string' });
  }

  /** Terminates the socket and waits for its close. */
  async close(): Promise<void> {
    if (!this.isClosed) this.ws.terminate();
    await this.closed;
  }
}

/** Opens a socket; rejects when the upgrade is refused. */
export function openSocket(url: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const socket = new RawSocket(ws);
    ws.once('open', () => resolve(socket));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req: unknown, res: IncomingMessage) => {
      res.resume();
      ws.terminate();
      reject(new Error(`upgrade refused with ${res.statusCode}`));
    });
  });
}

/** The outcome of an upgrade attempt: `opened`, or the HTTP status and JSON body of the refusal. */
export type UpgradeOutcome =
  | { opened: true }
  | { opened: false; status: number; body: { error?: unknown; code?: unknown } | undefined; raw: string };

export function tryUpgrade(url: string, timeoutMs = 5000): Promise<UpgradeOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no answer to the upgrade within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      ws.once('close', () => resolve({ opened: true }));
      ws.terminate();
    });
    ws.once('unexpected-response', (_req: unknown, res: IncomingMessage) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (raw += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        ws.terminate();
        let body: { error?: unknown; code?: unknown } | undefined;
        try {
          body = JSON.parse(raw) as { error?: unknown; code?: unknown };
        } catch {
          body = undefined;
        }
        resolve({ opened: false, status: res.statusCode ?? 0, body, raw });
      });
    });
    ws.once('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
