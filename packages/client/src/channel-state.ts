/**
 * What the engine keeps per channel: message listeners (one emitter keyed by event name,
 * `ANY` for all), the presence set, and whether the server subscription exists on the current
 * connection.
 * @module
 */
import type { MessageFrame } from '@openkbs-pulse/protocol';
import { createEmitter, type Emitter } from './emitter.js';
import { createPresenceSet, type PresenceSet } from './presence.js';

/** Message listeners by event name. */
export type MessageEvents = Record<string, MessageFrame>;

/** One channel's client-side state. */
export interface ChannelState {
  readonly name: string;
  /** Message listeners: `em.on(event, fn)`, `em.on(ANY, fn)`. */
  readonly em: Emitter<MessageEvents>;
  readonly presence: PresenceSet;
  /** Subscribed on the current connection. */
  subscribed: boolean;
  /** Presence set up on the current connection (our enter and a sync request sent). */
  presenceRequested: boolean;
  /** The public channel object of the face that owns the engine (made once, on first use). */
  face?: unknown;
}

/** A new channel state. */
export const createChannelState = (name: string): ChannelState => ({
  name,
  em: createEmitter(),
  presence: createPresenceSet(),
  subscribed: false,
  presenceRequested: false,
});

/** Whether the channel needs presence frames (listeners or our own membership). */
export const wantsPresence = (ch: ChannelState): boolean =>
  ch.presence.entered !== undefined || ch.presence.em.all.size > 0;

