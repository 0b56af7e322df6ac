/**
 * The outgoing publishes: a bounded queue while not connected, and the publishes sent on the
 * current connection that the service has not confirmed yet.
 *
 * The protocol has no publish acks, but the service answers pings in order on the same
 * connection: a pong confirms every frame sent before its ping. So every ping records how many
 * publishes had been sent at that moment, and every pong resolves the publishes up to the
 * oldest record (the heartbeat's pings count too). After a publish, a confirming ping goes out
 * at once unless a ping is already in flight (its pong asks for the next one): at most one is
 * outstanding.
 *
 * When the connection goes down, the unconfirmed publishes go back to the FRONT of the queue in
 * their order and are sent again on the next connection: exactly once when they were lost (a
 * half-open connection), but at least once in general. Frames that reached the service whose
 * pong was lost are sent twice. Each promise resolves once confirmed, or rejects with a typed
 * {@link PulseError} (`queue_full` when requeued publishes exceed the bound, the close or failure
 * error otherwise): never a silent drop.
 * @module
 */
import { PulseError } from '@openkbs-pulse/protocol';

interface Entry {
  frame: string;
  resolve: () => void;
  reject: (error: PulseError) => void;
}

/** The publishes of one client. */
export interface PublishQueue {
  /** Queues `text` while not connected; the promise settles when it is confirmed or rejected. */
  add(text: string): Promise<void>;
  /** Sends `text` on the open connection; the promise resolves when a pong confirms it. */
  send(text: string): Promise<void>;
  /** Sends every queued frame in order (the connection just opened). */
  flush(): void;
  /** Sends a ping (a barrier confirming what was sent before it). */
  ping(): void;
  /** A pong arrived: confirms the publishes sent before the oldest ping in flight. */
  pong(): void;
  /**
   * The connection is gone: unconfirmed publishes go back ahead of the queued ones (beyond the
   * bound rejected with `queue_full`); with `error`, all of them are rejected with it instead.
   */
  down(error?: PulseError): void;
}

const PING = '{"action":"ping"}';

/**
 * Creates the publishes of a client holding at most `max` queued frames (more are rejected with
 * `queue_full`). `send` hands a frame to the socket (`false` when it is not open).
 */
export function createQueue(max: number, send: (text: string) => boolean): PublishQueue {
  let queued: Entry[] = [];
  /** Sent on the current connection and not confirmed yet, oldest first. */
  let unconfirmed: Entry[] = [];
  /** For each ping in flight, oldest first: the count of publishes sent before it. */
  let marks: number[] = [];
  /** Publishes sent and confirmed on the current connection. */
  let sent = 0;
  let confirmed = 0;
  const ping = (): void => {
    if (send(PING)) marks.push(sent);
  };
  /** Sends `entry` (kept unconfirmed even if the socket refuses it: it is resent after the close). */
  const transmit = (entry: Entry): void => {
    unconfirmed.push(entry);
    sent++;
    send(entry.frame);
    if (!marks.length) ping();
  };
  const entry = (frame: string, then: (entry: Entry) => void): Promise<void> =>
    new Promise<void>((resolve, reject) => then({ frame, resolve, reject }));
  return {
    add: (text) =>
      queued.length >= max
        ? Promise.reject(new PulseError('queue_full', `queue full (${max})`))
        : entry(text, (e) => queued.push(e)),
    send: (text) => entry(text, transmit),
    flush() {
      const waiting = queued;
      queued = [];
      waiting.forEach(transmit);
    },
    ping,
    pong() {
      const mark = marks.shift();
      if (mark === undefined) return;
      for (const e of unconfirmed.splice(0, mark - confirmed)) e.resolve();
      confirmed = mark;
      if (unconfirmed.length && !marks.length) ping();
    },
    down(error) {
      const all = unconfirmed.concat(queued);
      unconfirmed = [];
      marks = [];
      sent = confirmed = 0;
      // `all` keeps what does not fit (everything, with an error).
      queued = error ? [] : all.splice(0, max);
      for (const e of all) e.reject(error ?? new PulseError('queue_full', `queue full (${max})`));
    },
  };
}
