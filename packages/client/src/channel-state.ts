/**
 * What the engine keeps per channel in use: message listeners (one emitter keyed by event name,
 * `ANY` for all), the presence set, and whether the server subscription exists on the current
 * connection. A channel with nothing left to keep (no listener, not entered, presence not
 * tracked, no pending presence read) is released: the engine forgets it, so an app with a
 * channel per document does not grow without bound.
 * @module
 */
import { channelNameProblem, PulseError, type MessageFrame } from '@openkbs-pulse/protocol';
import { createEmitter, type Emitter, type ListenerErrorHandler } from './emitter.js';
import { createPresenceSet, type PresenceSet } from './presence.js';
import type { Entry } from './queue.js';

/** Message listeners by event name. */
export type MessageEvents = Record<string, MessageFrame>;

/** One channel's client-side state. */
export interface ChannelState {
  readonly _name: string;
  /** Message listeners: `em.on(event, fn)`, `em.on(ANY, fn)`. */
  readonly _em: Emitter<MessageEvents>;
  readonly _presence: PresenceSet;
  /** Subscribed on the current connection. */
  _subscribed: boolean;
  /** The subscribe in flight on the current connection (until its pong), if any. */
  _sub: Entry | undefined;
  /** Its subscribe may have been refused: subscribed again with backoff (still counted as subscribed). */
  _resub: boolean;
  /**
   * The service's membership in doubt on the current connection: the frame telling it the
   * membership the client wants, in flight (until its pong), or `true` once a refusal may have
   * undone it (told again with backoff: see the engine's _assert); else undefined.
   */
  _put: Entry | true | undefined;
  /** Presence set up on the current connection (our enter and a sync request sent). */
  _presenceRequested: boolean;
  /** The sync request in flight on the current connection (until its pong), if any. */
  _ask: Entry | undefined;
  /** Presence is tracked because `members`/`count` was read (until the channel is released). */
  _track: boolean;
  /** The public channel object of the face that owns the engine (made once per state, and again after a release). */
  _face?: unknown;
  /**
   * `Pulse.Realtime`'s listener registrations of messages / presence: kept here, not on a face
   * object, so `unsubscribe()` through any object `channels.get(name)` returned removes them all.
   */
  _subs?: unknown;
  _psubs?: unknown;
}

/** A new channel state. */
export const createChannelState = (name: string, report: ListenerErrorHandler): ChannelState => ({
  _name: name,
  _em: createEmitter(report),
  _presence: createPresenceSet(report),
  _subscribed: false,
  _sub: undefined,
  _resub: false,
  _put: undefined,
  _presenceRequested: false,
  _ask: undefined,
  _track: false,
  // Declared here, so they live in the object itself: added later, they would need a property
  // store of their own (about 16 B more per channel in use).
  _face: undefined,
  _subs: undefined,
  _psubs: undefined,
});

/**
 * Forgets what the service knew of `ch` on a connection that ended: its subscribe, presence set-up
 * and requests in flight (the queue drops those with the connection), and whether its membership
 * there was in doubt (a new connection enters the wanted membership anyway).
 */
export const forgetConnection = (ch: ChannelState): void => {
  ch._subscribed = ch._presenceRequested = ch._resub = false;
  ch._ask = ch._sub = ch._put = undefined;
};

/** Whether the channel needs presence frames (listeners, our own membership, or members read). */
export const wantsPresence = (ch: ChannelState): boolean =>
  ch._track || ch._presence._entered !== undefined || ch._presence._readers > 0 || ch._presence._em.all.size > 0;

/** Whether the channel needs a server subscription. */
export const wantsSubscription = (ch: ChannelState): boolean => wantsPresence(ch) || ch._em.all.size > 0;

/** `name` when it is a valid channel name; else throws `invalid_argument` saying what is wrong and what was given. */
export function checkChannelName(name: unknown): string {
  const problem = channelNameProblem(name);
  if (problem) throw new PulseError('invalid_argument', `${problem} (got ${typeof name === 'string' ? JSON.stringify(name) : typeof name})`);
  return name as string;
}
