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
import { PING } from './transport.js';

/** One piece of work awaiting confirmation. */
export interface Entry {
  /** The frame to send (`''` for a barrier: nothing of its own to send, confirmed by the next pong). */
  _frame: string;
  /** Order of sending on the current connection (pings record the last one sent before them). */
  _seq?: number;
  /** The connection's frame number of its frame (0 for a barrier, or when not sent): a refusal concerns it once that frame was written. */
  _frameNo?: number;
  /** The channel it acts on (refusals of this channel reject it). */
  _channel: string;
  _done: () => void;
  _fail: (error: PulseError) => void;
  /** A request's (see {@link PublishQueue._ask}): the last refusal of its channel while it was in flight. */
  _refusal?: PulseError;
}

/** The confirmed work of one client. */
export interface PublishQueue {
  /** Sends `frame` now when `now` (the connection is open), else queues it (bounded). Settles when confirmed or rejected. */
  _add(frame: string, channel: string, now: boolean): Promise<void>;
  /**
   * Sends `frame`, a request the service answers with frames of its own (a presence sync), now:
   * they come before the pong of a ping sent after it, so at that pong `answered` is called, with
   * the last refusal of its channel meanwhile (an `error` frame does not say which frame it refused:
   * a sync that came anyway is the answer). Not queued, not bounded, dropped with the connection.
   * Its ping goes a microtask later unless one sent after it is in flight by then (so one ping
   * covers it and a presence change sent with it). Returns the request, for {@link _cancel}.
   */
  _ask(frame: string, channel: string, answered: (refusal?: PulseError) => void): Entry;
  /** Forgets a request of {@link _ask} (its answer is not wanted any more); anything else is no request. */
  _cancel(request: Entry | true | undefined): void;
  /** Sends every queued entry in order (the connection just opened). */
  _flush(): void;
  /** Whether any entry is queued or unconfirmed. */
  _holds(): boolean;
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

const RESOLVED = Promise.resolve();
/** Entries sent between two pings at most (see _transmit). */
const PING_EVERY = 100;

/** The queue of one client (a class: its methods live on the prototype, not in per-client closures). */
class Queue implements PublishQueue {
  private _queued: Entry[] = [];
  /** Sent on the current connection and not confirmed yet, oldest first. */
  private _unconfirmed: Entry[] = [];
  /** For each ping in flight, oldest first: the `_seq` of the last entry sent before it. */
  private _marks: number[] = [];
  /** Requests in flight (see {@link PublishQueue._ask}), oldest first. */
  private _asks: Entry[] = [];
  private _seq = 0;

  constructor(
    private readonly _max: number,
    private readonly _send: (text: string) => number,
    private readonly _written: () => number,
  ) {}

  _add(frame: string, channel: string, now: boolean): Promise<void> {
    if (!now && this._queued.length >= this._max) return Promise.reject(this._full());
    return new Promise<void>((done, fail) => {
      const entry: Entry = { _frame: frame, _channel: channel, _done: done, _fail: fail };
      if (now) this._transmit(entry);
      else this._queued.push(entry);
    });
  }

  _ask(frame: string, channel: string, answered: (refusal?: PulseError) => void): Entry {
    const entry: Entry = { _frame: frame, _channel: channel, _done: () => answered(entry._refusal), _fail: (error) => (entry._refusal = error) };
    const seq = (entry._seq = ++this._seq);
    this._asks.push(entry);
    entry._frameNo = this._send(frame);
    void RESOLVED.then(() => this._asks.includes(entry) && !(this._marks.at(-1)! >= seq) && this._ping());
    return entry;
  }

  _cancel(request: Entry | true | undefined): void {
    this._asks = this._asks.filter((entry) => entry !== request);
  }

  _flush(): void {
    const waiting = this._queued;
    this._queued = [];
    for (const entry of waiting) this._transmit(entry);
  }

  _holds(): boolean {
    return this._queued.length + this._unconfirmed.length > 0;
  }

  _ping(): void {
    if (this._send(PING)) this._marks.push(this._seq);
  }

  _pong(): void {
    const mark = this._marks.shift() ?? 0;
    const due = (entry: Entry): boolean => entry._seq! <= mark;
    const settled = this._unconfirmed.filter(due).concat(this._asks.filter(due));
    this._unconfirmed = this._unconfirmed.filter((entry) => !due(entry));
    this._asks = this._asks.filter((entry) => !due(entry));
    for (const entry of settled) entry._done();
    if (this._unconfirmed.length + this._asks.length && !this._marks.length) this._ping();
  }

  _refuse(error: PulseError, channel?: string): void {
    // A frame still waiting for the send pace (transport.ts) cannot be what the service refused.
    const written = this._written();
    const hit = (entry: Entry): boolean => (channel === undefined || entry._channel === channel) && entry._frameNo! <= written;
    // A request only notes it: what it asked for may still come (see _ask).
    for (const entry of this._asks) if (hit(entry)) entry._fail(error);
    this._unconfirmed = this._unconfirmed.filter((entry) => {
      if (hit(entry)) entry._fail(error);
      return !hit(entry);
    });
  }

  _down(error?: PulseError): number {
    const all = this._unconfirmed.concat(this._queued);
    this._unconfirmed = [];
    this._marks = [];
    this._asks = [];
    // `all` keeps what does not fit (everything, with an error).
    this._queued = error ? [] : all.splice(0, this._max);
    for (const entry of all) entry._fail(error ?? this._full());
    return all.length;
  }

  private _full(): PulseError {
    return new PulseError('queue_full', `queue full (${this._max}): raise maxQueueSize`);
  }

  /** Sends `entry` (kept unconfirmed even if the socket refuses it: it is resent after the close). */
  private _transmit(entry: Entry): void {
    entry._seq = ++this._seq;
    this._unconfirmed.push(entry);
    // A barrier (a presence change) is refusable at once (frame number 0): the change it confirms
    // was sent before it by the engine, possibly many frames before (a resume), and a refused
    // change must never resolve. Rejected while its frame still waits, the engine sends the kept
    // state after it. An entry the closed socket did not take (0) is sent again on the next one.
    entry._frameNo = entry._frame ? this._send(entry._frame) : 0;
    // A ping at least every PING_EVERY entries: while frames wait for the send pace, their pongs
    // confirm them as they go and keep the pong deadline running (a dead connection is noticed).
    if (!this._marks.length || this._seq - this._marks[this._marks.length - 1]! >= PING_EVERY) this._ping();
  }
}

/**
 * Creates the queue of a client holding at most `max` queued entries. `send` hands a frame to
 * the socket and returns its frame number on the connection (0 when it is not open); `written`
 * is how many frames of the connection have left (the rest wait for the send pace).
 */
export const createQueue = (max: number, send: (text: string) => number, written: () => number): PublishQueue => new Queue(max, send, written);
