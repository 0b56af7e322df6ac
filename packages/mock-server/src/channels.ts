/**
 * Tenants (one per kbId, fully isolated), their channels, subscriptions and fan-out.
 * @module
 */
import type { PresenceMember, Region } from '@openkbs-pulse/protocol';
import type { PulseConnection } from './connection.js';

/** One channel of one tenant. */
export class ChannelState {
  /**
   * @param name - the channel's name. Connections record this one copy of it: each subscribe
   * action parses a string of its own, which kept per connection was about 24 B of heap each.
   */
  constructor(readonly name: string) {}

  /** Connections receiving this channel's messages and presence changes. */
  readonly subscribers = new Set<PulseConnection>();
  /** Presence set, by connectionId, in order of entry. */
  readonly members = new Map<string, PresenceMember>();

  get empty(): boolean {
    return this.subscribers.size === 0 && this.members.size === 0;
  }
}

/**
 * Sends one pre-encoded frame to one connection; false when it was not sent.
 * `framed` is the same frame with its WebSocket header, when the caller framed it once for all.
 */
export type Deliver = (connection: PulseConnection, frame: Buffer, framed?: Buffer) => boolean;

/** One knowledge base: its credentials, switch, channels and counters. */
export class Tenant {
  readonly channels = new Map<string, ChannelState>();
  /** Open connections. */
  connections = 0;
  /** Messages accepted for fan-out (WebSocket and HTTP publishes). */
  published = 0;
  /** Message frames handed to sockets. */
  delivered = 0;

  constructor(
    readonly kbId: string,
    public apiKey: string,
    public enabled: boolean,
    public region: Region,
  ) {}

  /** The channel, created on first use. */
  channel(name: string): ChannelState {
    let state = this.channels.get(name);
    if (!state) {
      state = new ChannelState(name);
      this.channels.set(name, state);
    }
    return state;
  }

  /** Forgets a channel nobody subscribes to or is present in. */
  release(name: string): void {
    if (this.channels.get(name)?.empty) this.channels.delete(name);
  }

  subscribe(connection: PulseConnection, name: string): void {
    const state = this.channel(name);
    state.subscribers.add(connection);
    connection.addChannel(state.name);
  }

  unsubscribe(connection: PulseConnection, name: string): void {
    const state = this.channels.get(name);
    connection.removeChannel(name);
    if (!state) return;
    state.subscribers.delete(connection);
    this.release(name);
  }

  /** Number of presence members over all channels. */
  presenceMembers(): number {
    let total = 0;
    for (const state of this.channels.values()) total += state.members.size;
    return total;
  }
}

/**
 * Sends the same buffer to every subscriber of `state` (the publisher included when it is
 * subscribed). The frame is encoded once by the caller, never per subscriber.
 * @returns how many connections it was handed to.
 */
export function fanOut(state: ChannelState | undefined, frame: Buffer, deliver: Deliver, framed?: Buffer): number {
  if (!state) return 0;
  let delivered = 0;
  // Copy first: a delivery can detach a slow consumer, which edits the set.
  const subscribers = state.subscribers.size === 1 ? state.subscribers : [...state.subscribers];
  for (const connection of subscribers) if (deliver(connection, frame, framed)) delivered++;
  return delivered;
}
