/**
 * One accepted WebSocket connection. The service attaches one shared set of listeners to every
 * socket, so a connection costs no closures and no timers of its own.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { CLOSE_CODES, type CloseCode } from '@openkbs-pulse/protocol';

/** Connection ids are `<ID_PREFIX>-<number in base 36>`: unique in this process, and across runs by the prefix. */
const ID_PREFIX = randomBytes(4).toString('hex');
let nextSeq = 0;
const connectionId = (seq: number): string => `${ID_PREFIX}-${seq.toString(36)}`;
/** The number in a connection id of this process, or -1 (ids it could not have made included, such as `-0`). */
const connectionSeq = (id: string): number => {
  const digits = id.startsWith(`${ID_PREFIX}-`) ? id.slice(ID_PREFIX.length + 1) : '';
  const seq = /^(0|[1-9a-z][0-9a-z]*)$/.test(digits) ? parseInt(digits, 36) : -1;
  return Number.isSafeInteger(seq) ? seq : -1;
};

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

/**
 * One accepted connection, as the WebSocket it is: the service hands this class to its
 * WebSocketServer (ws's `WebSocket` option), so a connection is one object, with no second object
 * pointing at its socket and no tag on the socket pointing back (about 50 B of heap per idle
 * connection, the bench's memory per connection). Every socket of the service's server is one;
 * it is `attached` from {@link PulseConnection.accept} until the service detaches it.
 */
export class PulseConnection extends WebSocket {
  /**
   * The channels it is subscribed to: the name alone while there is one, a Set (in subscribe
   * order) once there were two. Most connections subscribe to one channel, and a Set of its own
   * would be about 150 B of heap per connection (the bench's memory per idle connection).
   */
  private channels: string | Set<string> | undefined = undefined;
  /** Channels whose presence set this connection is in (allocated on first enter: most connections never enter). */
  present: Set<string> | undefined = undefined;
  /**
   * Where it is in its life, one field for what would be two flags: `new` until `accept`, then
   * `attached` until the service detaches it (closed, killed, expired, slow). `dropping`, still
   * attached, once its buffer overflowed during a fan-out: it gets nothing more and is closed as a
   * slow consumer once the fan-out ends, so every subscriber sees the whole fan-out before its `leave`.
   */
  private phase: 'new' | 'attached' | 'dropping' | 'detached' = 'new';
  /** Frames it may still send right now (token bucket of the frame-rate limit). */
  private allowance = 0;
  /**
   * Service time of the last refill of the allowance; undefined until its first frame (then it is
   * `connectedAt`): an idle connection keeps no second boxed number (16 B of heap).
   */
  private refilledAt: number | undefined = undefined;
  /** Its number in this process; {@link PulseConnection.id} is made from it when asked, not kept. */
  private seq = 0;
  /** The knowledge base it connected to. */
  kbId = '';
  /** The user its token was minted for. */
  userId = '';
  /** When the service accepted it (ms since epoch, service clock). */
  connectedAt = 0;
  /**
   * Its token's `exp` claim (s since epoch): when the service closes it, unless the connection TTL
   * ends first ({@link closesAt}). Kept, not the time it closes: a small integer to V8, where
   * that time in ms would be a boxed number, and the close code follows from it.
   */
  tokenExp = 0;
  /** The TCP socket under it, kept from the upgrade for pre-framed writes (see `writeFramed`): ws keeps its own privately. */
  socket: Duplex | undefined = undefined;

  /**
   * Makes the socket a connection of the service (once its upgrade was granted).
   * @param tokenExp - its token's `exp` claim (s since epoch).
   * @param burst - initial frame allowance (the burst of the frame-rate limit).
   * @param socket - the TCP socket of its upgrade.
   */
  accept(kbId: string, userId: string, connectedAt: number, tokenExp: number, burst: number, socket?: Duplex): this {
    this.socket = socket;
    this.seq = nextSeq++;
    this.kbId = kbId;
    this.userId = userId;
    this.connectedAt = connectedAt;
    this.tokenExp = tokenExp;
    this.allowance = burst;
    this.phase = 'attached';
    return this;
  }

  /** From `accept` until detached (dropping included). */
  get attached(): boolean {
    return this.phase === 'attached' || this.phase === 'dropping';
  }

  /** Whether its buffer overflowed during a fan-out (see `phase`). */
  get dropping(): boolean {
    return this.phase === 'dropping';
  }

  /** Its buffer overflowed during a fan-out: it gets nothing more (see `phase`). */
  markDropping(): void {
    if (this.phase === 'attached') this.phase = 'dropping';
  }

  /** The service let it go: whatever it sends or is sent is ignored from now on. */
  markDetached(): void {
    this.phase = 'detached';
  }

  /**
   * Takes one frame from its frame-rate allowance, refilled from the service clock (a token
   * bucket). (A single number, the time a connection's frames are paid up to, would save a field,
   * but an outside review broke it with rounding at fractional costs, with clocks that step back,
   * and with rates whose cost is Infinity or below a time's precision: the bucket has none of those.)
   * @returns false when it has none left: the frame is refused.
   */
  takeFrame(now: number, burst: number, framesPerMs: number): boolean {
    const refilledAt = this.refilledAt ?? this.connectedAt;
    if (now > refilledAt) {
      this.allowance = Math.min(burst, this.allowance + (now - refilledAt) * framesPerMs);
      this.refilledAt = now;
    }
    if (this.allowance < 1) return false;
    this.allowance--;
    return true;
  }

  /** Unique id of the connection in this process (as in presence members); pass it to `service.kill`. */
  get id(): string {
    return connectionId(this.seq);
  }

  /** Whether `connectionId` is this connection's id. */
  hasId(connectionId: string): boolean {
    return connectionSeq(connectionId) === this.seq;
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

  /** @param closesAt - when the service closes it ({@link closesAt}). */
  info(closesAt: number): ConnectionInfo {
    return {
      connectionId: this.id,
      kbId: this.kbId,
      userId: this.userId,
      channels: this.channelNames(),
      presence: this.present ? [...this.present] : [],
      connectedAt: this.connectedAt,
      closesAt,
    };
  }
}

/** When the service closes `connection` (ms since epoch): at its token's expiry, or after the connection TTL (`ttlMs`) if sooner. */
export const closesAt = (connection: PulseConnection, ttlMs: number): number => Math.min(connection.tokenExp * 1000, connection.connectedAt + ttlMs);

/** The close code at {@link closesAt}: token expired when the token ends first or with the TTL, else connection TTL. */
export const closesWith = (connection: PulseConnection, ttlMs: number): CloseCode =>
  connection.tokenExp * 1000 <= connection.connectedAt + ttlMs ? CLOSE_CODES.tokenExpired : CLOSE_CODES.connectionTtl;
