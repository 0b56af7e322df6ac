/**
 * A loopback TCP proxy that injects network faults between a client and a service, for
 * reliability tests. It knows nothing about WebSocket: it moves bytes, and each mode says what
 * happens to them.
 *
 * Modes (for the whole proxy with `proxy.setMode()`, or one connection with `connection.setMode()`):
 * - `pass`: forward both ways (with back-pressure).
 * - `delay`: forward both ways, each chunk `ms` later, order kept. Leaving `delay` releases
 *   what is still queued, in order, before anything newer.
 * - `drop`: reset (TCP RST) both sides of every open connection; new connections are reset on accept.
 *   The "network went away" case; switching back to `pass` is "the network returned".
 * - `blackhole`: accept and read everything, forward nothing, propagate no close either way:
 *   a half-open connection that only a heartbeat can detect. New connections are accepted
 *   (the TCP handshake succeeds) and never reach the service.
 * - `cut`: the next chunk in `direction` (default `down`, service → client) is truncated after
 *   `afterBytes` bytes (default: half of it, at least 1 byte short), then both sides are reset.
 *   A connection accepted while the proxy is in `cut` mode is cut on its first such chunk.
 *
 * Extend it by adding a mode to {@link FaultMode} and a branch in `ProxyConnection.forward()`.
 * @module
 */
import { EventEmitter } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** Which way bytes flow: `up` is client → service, `down` is service → client. */
export type Direction = 'up' | 'down';

/** What the proxy does with the bytes of a connection. */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'blackhole' }
  | { kind: 'cut'; direction?: Direction; afterBytes?: number };

/** Shorthands for {@link FaultMode}s. */
export const modes = {
  pass: (): FaultMode => ({ kind: 'pass' }),
  delay: (ms: number): FaultMode => ({ kind: 'delay', ms }),
  drop: (): FaultMode => ({ kind: 'drop' }),
  blackhole: (): FaultMode => ({ kind: 'blackhole' }),
  cut: (options: { direction?: Direction; afterBytes?: number } = {}): FaultMode => ({ kind: 'cut', ...options }),
} as const;

/** Options of {@link createFaultProxy}. */
export interface FaultProxyOptions {
  /** Where the service listens. */
  target: { host?: string; port: number };
  /** Listen address of the proxy. @default '127.0.0.1' */
  host?: string;
  /** Listen port of the proxy. @default 0 (any free port) */
  port?: number;
  /** Mode of new connections. @default pass */
  mode?: FaultMode;
}

interface Queued {
  chunk: Buffer;
  releaseAt: number;
}

/** One client connection through the proxy. */
export class ProxyConnection {
  /** 1, 2, 3... in accept order. */
  readonly id: number;
  /** Bytes received from the client / from the service (whether forwarded or not). */
  bytesUp = 0;
  bytesDown = 0;
  /** Bytes actually forwarded each way. */
  forwardedUp = 0;
  forwardedDown = 0;
  /** Whether both sockets are gone. */
  closed = false;
  private currentMode: FaultMode;
  private upstream: Socket | undefined;
  private readonly pendingUp: Buffer[] = [];
  private readonly delayed: Record<Direction, Queued[]> = { up: [], down: [] };
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly closedListeners: Array<() => void> = [];

  constructor(
    id: number,
    private readonly client: Socket,
    private readonly target: { host: string; port: number },
    mode: FaultMode,
  ) {
    this.id = id;
    this.currentMode = mode;
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      this.bytesUp += chunk.length;
      this.forward('up', chunk);
    });
    client.on('end', () => this.propagateEnd('up'));
    client.on('error', () => this.destroy());
    client.on('close', () => this.onSocketClosed());
    if (mode.kind === 'drop') {
      this.reset();
      return;
    }
    if (mode.kind !== 'blackhole') this.connectUpstream();
  }

  /** The mode of this connection. */
  get mode(): FaultMode {
    return this.currentMode;
  }

  /** Changes what happens to this connection's bytes from now on. */
  setMode(mode: FaultMode): void {
    const previous = this.currentMode;
    this.currentMode = mode;
    if (this.closed) return;
    if (mode.kind === 'drop') {
      this.reset();
      return;
    }
    if (previous.kind === 'delay' && mode.kind !== 'delay') {
      // Release what the old delay still holds, in order, before anything newer.
      if (mode.kind === 'blackhole') {
        this.delayed.up.length = 0;
        this.delayed.down.length = 0;
      } else {
        this.flushDelayed('up', Number.POSITIVE_INFINITY);
        this.flushDelayed('down', Number.POSITIVE_INFINITY);
      }
    }
  }

  /** Resets (TCP RST) both sides now. */
  reset(): void {
    if (this.closed) return;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    resetSocket(this.client);
    if (this.upstream) resetSocket(this.upstream);
  }

  /** Destroys both sides quietly (used by `proxy.close()`). */
  destroy(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.client.destroy();
    this.upstream?.destroy();
  }

  /** Resolves when both sockets are closed. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closedListeners.push(resolve));
  }

  private connectUpstream(): void {
    const upstream = createConnection({ host: this.target.host, port: this.target.port });
    this.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('connect', () => {
      for (const chunk of this.pendingUp.splice(0)) this.write('up', chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      this.bytesDown += chunk.length;
      this.forward('down', chunk);
    });
    upstream.on('end', () => this.propagateEnd('down'));
    upstream.on('error', () => this.destroy());
    upstream.on('close', () => this.onSocketClosed());
  }

  private forward(direction: Direction, chunk: Buffer): void {
    const mode = this.currentMode;
    switch (mode.kind) {
      case 'pass':
        if (this.delayed[direction].length > 0) this.enqueue(direction, chunk, 0);
        else this.write(direction, chunk);
        return;
      case 'delay':
        this.enqueue(direction, chunk, mode.ms);
        return;
      case 'blackhole':
      case 'drop':
        return; // read and discarded
      case 'cut': {
        if ((mode.direction ?? 'down') !== direction) {
          this.write(direction, chunk);
          return;
        }
        const keep = Math.max(0, Math.min(mode.afterBytes ?? Math.floor(chunk.length / 2), chunk.length - 1));
        const target = direction === 'up' ? this.upstream : this.client;
        if (keep > 0 && target) {
          target.write(chunk.subarray(0, keep), () => this.reset());
          this.count(direction, keep);
        } else this.reset();
        return;
      }
    }
  }

  private enqueue(direction: Direction, chunk: Buffer, ms: number): void {
    const queue = this.delayed[direction];
    queue.push({ chunk, releaseAt: Date.now() + ms });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.flushDelayed(direction, Date.now());
    }, ms);
    this.timers.add(timer);
  }

  private flushDelayed(direction: Direction, now: number): void {
    const queue = this.delayed[direction];
    while (queue.length > 0 && queue[0]!.releaseAt <= now) this.write(direction, queue.shift()!.chunk);
  }

  private write(direction: Direction, chunk: Buffer): void {
    if (direction === 'up') {
      const upstream = this.upstream;
      if (!upstream) return;
      if (upstream.connecting) {
        this.pendingUp.push(chunk);
        return;
      }
      if (!upstream.write(chunk)) this.applyBackPressure(this.client, upstream);
    } else if (!this.client.write(chunk)) {
      if (this.upstream) this.applyBackPressure(this.upstream, this.client);
    }
    this.count(direction, chunk.length);
  }

  private count(direction: Direction, bytes: number): void {
    if (direction === 'up') this.forwardedUp += bytes;
    else this.forwardedDown += bytes;
  }

  private applyBackPressure(source: Socket, sink: Socket): void {
    source.pause();
    sink.once('drain', () => source.resume());
  }

  private propagateEnd(from: Direction): void {
    // A half-open network carries no FIN either.
    if (this.currentMode.kind === 'blackhole' || this.currentMode.kind === 'drop') return;
    const other = from === 'up' ? this.upstream : this.client;
    if (other && !other.destroyed) other.end();
  }

  private onSocketClosed(): void {
    if (this.closed) return;
    const upstreamGone = !this.upstream || this.upstream.destroyed;
    if (!this.client.destroyed || !upstreamGone) {
      // In pass/delay mode one side closing closes the other; in blackhole mode it does not.
      if (this.currentMode.kind === 'blackhole') return;
      if (this.client.destroyed && this.upstream && !this.upstream.destroyed) this.upstream.end();
      return;
    }
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const listener of this.closedListeners.splice(0)) listener();
  }
}

function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

/** The proxy: `connection` events carry each new {@link ProxyConnection}. */
export class FaultProxy extends EventEmitter<{ connection: [ProxyConnection] }> {
  private readonly open = new Set<ProxyConnection>();
  private nextId = 1;
  private currentMode: FaultMode;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
    mode: FaultMode,
  ) {
    super();
    this.currentMode = mode;
    server.on('connection', (socket) => {
      const connection = new ProxyConnection(this.nextId++, socket, this.target, this.currentMode);
      this.open.add(connection);
      void connection.whenClosed().then(() => this.open.delete(connection));
      this.emit('connection', connection);
    });
  }

  /** The port the proxy listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `ws://127.0.0.1:PORT`, for WebSocket clients. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The mode of new connections. */
  get mode(): FaultMode {
    return this.currentMode;
  }

  /** Connections whose sockets are not both closed yet, in accept order. */
  connections(): ProxyConnection[] {
    return [...this.open];
  }

  /** Sets the mode of new connections and of every open one. */
  setMode(mode: FaultMode): void {
    this.currentMode = mode;
    for (const connection of this.open) connection.setMode(mode);
  }

  /** Resolves with the next accepted connection. */
  nextConnection(): Promise<ProxyConnection> {
    return new Promise((resolve) => this.once('connection', resolve));
  }

  /** Closes the listener and destroys every connection. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const connection of this.open) connection.destroy();
    }).then(async () => {
      await Promise.all([...this.open].map((connection) => connection.whenClosed()));
    });
    return this.closing;
  }
}

/** Starts a proxy on loopback in front of `options.target`. */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const server = createServer({ noDelay: true });
  const target = { host: options.target.host ?? '127.0.0.1', port: options.target.port };
  const proxy = new FaultProxy(server, target, options.mode ?? modes.pass());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return proxy;
}
