/**
 * One accepted WebSocket connection. Plain data: the service attaches one shared set of
 * listeners to every socket, so a connection costs no closures and no timers of its own.
 * @module
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { CloseCode } from '@openkbs-pulse/protocol';

/** Public description of a connection (what `service.connections()` lists). */
export interface ConnectionInfo {
  /** Unique id of the connection (as in presence members); pass it to `service.kill`. */
  connectionId: string;
  /** The knowledge base it connected to. */
  kbId: string;
  /** The user its token was minted for. */
  userId: string;
  /** Channels this connection is subscribed to. */
  channels: string[];
  /** Channels this connection has entered presence in. */
  presence: string[];
  /** When the connection was accepted (ms since epoch, service clock). */
  connectedAt: number;
  /** When the service will close it (token expiry or connection TTL, whichever first). */
  closesAt: number;
}

/** Server-side state of one connection. */
export class PulseConnection {
  /**
   * The channels it is subscribed to: the name alone while there is one, a Set (in subscribe
   * order) once there were two. Most connections subscribe to one channel, and a Set of its own
   * would be about 150 B of heap per connection (the bench's memory per idle connection).
   */
  private channels: string | Set<string> | undefined = undefined;
  /** Channels whose presence set this connection is in (allocated on first enter: most connections never enter). */
  present: Set<string> | undefined = undefined;
  /** False once the service has detached it (closed, killed, expired, slow). */
  attached = true;
  /**
   * Set when its buffer overflowed during a fan-out: it gets nothing more and is closed as a slow
   * consumer once the fan-out ends, so every subscriber sees the whole fan-out before its `leave`.
   */
  dropping = false;
  /** Frames it may still send right now (token bucket of the frame-rate limit). */
  allowance: number;
  /** Service time of the last refill of {@link PulseConnection.allowance}. */
  allowanceAt: number;

  constructor(
    readonly id: string,
    readonly kbId: string,
    readonly userId: string,
    readonly ws: WebSocket,
    readonly connectedAt: number,
    /** When the service closes it (ms since epoch). */
    readonly closesAt: number,
    /** The close code used at `closesAt`. */
    readonly closesWith: CloseCode,
    /** The TCP socket under `ws`, kept from the upgrade for pre-framed writes (see `writeFramed`). */
    readonly socket: Duplex,
    /** Initial frame allowance (the burst of the frame-rate limit). */
    burst: number,
  ) {
    this.allowance = burst;
    this.allowanceAt = connectedAt;
  }

  /** Whether it is subscribed to `channel`. */
  isSubscribed(channel: string): boolean {
    const channels = this.channels;
    return typeof channels === 'string' ? channel === channels : channels?.has(channel) === true;
  }

  /** How many channels it is subscribed to. */
  get channelCount(): number {
    const channels = this.channels;
    return typeof channels === 'string' ? 1 : (channels?.size ?? 0);
  }

  /** The channels it is subscribed to, in the order it subscribed. */
  channelNames(): string[] {
    const channels = this.channels;
    return typeof channels === 'string' ? [channels] : channels ? [...channels] : [];
  }

  /** Records a subscription (none twice). */
  addChannel(channel: string): void {
    const channels = this.channels;
    if (channels === undefined) this.channels = channel;
    else if (typeof channels !== 'string') channels.add(channel);
    else if (channel !== channels) this.channels = new Set([channels, channel]);
  }

  /** Forgets a subscription. */
  removeChannel(channel: string): void {
    const channels = this.channels;
    if (typeof channels !== 'string') channels?.delete(channel);
    else if (channel === channels) this.channels = undefined;
  }

  info(): ConnectionInfo {
    return {
      connectionId: this.id,
      kbId: this.kbId,
      userId: this.userId,
      channels: this.channelNames(),
      presence: this.present ? [...this.present] : [],
      connectedAt: this.connectedAt,
      closesAt: this.closesAt,
    };
  }
}
