/**
 * The outgoing work that needs the service's confirmation: publishes, and barriers that confirm
 * presence changes. A bounded queue while not connected, and what was sent on the current
 * connection and not confirmed yet.
 *
 * The protocol has no acks, but the service handles a connection's frames in order and answers
 * each ping with a pong: a pong confirms every frame sent before its ping. So every ping records
 * the last entry sent before it, and every pong settles the entries up to the oldest record (the
 * heartbeat's pings count too). After a send, a confirming ping goes out at once unless one is
 * already in flight (its pong asks for the next one): at most one is outstanding.
 *
 * Refusals: the service answers a frame it refuses with an `error` frame, sent before the pong
 * of any later ping. Such a frame names the channel (when the action had one) but not the
 * action, so {@link PublishQueue.refuse} rejects every unconfirmed entry of that channel (all of
 * them when no channel is named): a refused publish never resolves, at the price of rejecting a
 * publish of the same channel that the service took in the same ping window. Checks before
 * sending (`publishProblem`) make most refusals impossible.
 *
 * When the connection goes down, the unconfirmed entries go back to the FRONT of the queue in
 * their order and are sent again on the next connection: exactly once when they were lost, at
 * least once in general (frames that reached the service whose pong was lost are sent twice).
 * @module
 */
import { PulseError } from '@openkbs-pulse/protocol';

/** One piece of work awaiting confirmation. */
export interface Entry {
  /** The frame to send (`''` for a barrier: nothing of its own to send, confirmed by the next pong). */
  _frame: string;
  /** Order of sending on the current connection (pings record the last one sent before them). */
  _seq?: number;
  /** The channel it acts on (refusals of this channel reject it). */
  _channel: string;
  _done: () => void;
  _fail: (error: PulseError) => void;
}

/** The confirmed work of one client. */
export interface PublishQueue {
  /** Sends `frame` now when `now` (the connection is open), else queues it (bounded). Settles when confirmed or rejected. */
  _add(frame: string, channel: string, now: boolean): Promise<void>;
  /** Sends every queued entry in order (the connection just opened). */
  _flush(): void;
  /** Sends a ping (a barrier confirming what was sent before it). */
  _ping(): void;
  /** A pong arrived: confirms the entries sent before the oldest ping in flight. */
  _pong(): void;
  /** An `error` frame: rejects the unconfirmed entries of `channel` (every one without a channel). */
  _refuse(error: PulseError, channel?: string): void;
  /**
   * The connection is gone: unconfirmed entries go back ahead of the queued ones (beyond the
   * bound rejected with `queue_full`); with `error`, all of them are rejected with it instead.
   * Returns how many were rejected.
   */
  _down(error?: PulseError): number;
}

const PING = '{"action":"ping"}';

/**
 * Creates the queue of a client holding at most `max` queued entries. `send` hands a frame to
 * the socket (`false` when it is not open).
 */
export function createQueue(max: number, send: (text: string) => boolean): PublishQueue {
  let queued: Entry[] = [];
  /** Sent on the current connection and not confirmed yet, oldest first. */
  let unconfirmed: Entry[] = [];
  /** For each ping in flight, oldest first: the `_seq` of the last entry sent before it. */
  let marks: number[] = [];
  let seq = 0;
  const full = (): PulseError => new PulseError('queue_full', `queue full (${max}): raise maxQueueSize`);
  const ping = (): void => {
    if (send(PING)) marks.push(seq);
  };
  /** Sends `entry` (kept unconfirmed even if the socket refuses it: it is resent after the close). */
  const transmit = (entry: Entry): void => {
    entry._seq = ++seq;
    unconfirmed.push(entry);
    if (entry._frame) send(entry._frame);
    if (!marks.length) ping();
  };
  return {
    _add: (frame, channel, now) =>
      now || queued.length < max
        ? new Promise<void>((done, fail) => {
            const entry = { _frame: frame, _channel: channel, _done: done, _fail: fail };
            if (now) transmit(entry);
            else queued.push(entry);
          })
        : Promise.reject(full()),
    _flush() {
      const waiting = queued;
      queued = [];
      waiting.forEach(transmit);
    },
    _ping: ping,
    _pong() {
      const mark = marks.shift() ?? 0;
      const confirmed = unconfirmed.filter((entry) => entry._seq! <= mark);
      unconfirmed = unconfirmed.filter((entry) => entry._seq! > mark);
      for (const entry of confirmed) entry._done();
      if (unconfirmed.length && !marks.length) ping();
    },
    _refuse(error, channel) {
      unconfirmed = unconfirmed.filter((entry) => {
        const hit = channel === undefined || entry._channel === channel;
        if (hit) entry._fail(error);
        return !hit;
      });
    },
    _down(error) {
      const all = unconfirmed.concat(queued);
      unconfirmed = [];
      marks = [];
      // `all` keeps what does not fit (everything, with an error).
      queued = error ? [] : all.splice(0, max);
      for (const entry of all) entry._fail(error ?? full());
      return all.length;
    },
  };
}
