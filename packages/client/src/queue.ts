/**
 * The outgoing publishes: a bounded queue while not connected, and the publishes sent on the
 * current connection that the service has not confirmed yet.
 *
 * The protocol has no publish acks, but the service answers pings in order on the same
 * connection: a pong confirms every frame sent before its ping. So every ping records the last
 * publish sent before it, and every pong resolves the publishes up to the oldest record (the heartbeat's pings count too). After a publish, a confirming ping goes out
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
  /** Resolves the publish's promise. */
  done: () => void;
  /** Rejects the publish's promise. */
  fail: (error: PulseError) => void;
}

/** The publishes of one client. */
export interface PublishQueue {
  /**
   * Sends `text` now when `now` (the connection is open), else queues it (bounded); the promise
   * resolves when a pong confirms it, or rejects.
   */
  add(text: string, now: boolean): Promise<void>;
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
  /** For each ping in flight, oldest first: the last publish sent before it (`undefined`: none). */
  let marks: (Entry | undefined)[] = [];
  const full = (): PulseError => new PulseError('queue_full', `queue full (${max})`);
  const ping = (): void => {
    if (send(PING)) marks.push(unconfirmed[unconfirmed.length - 1]);
  };
  /** Sends `entry` (kept unconfirmed even if the socket refuses it: it is resent after the close). */
  const transmit = (entry: Entry): void => {
    unconfirmed.push(entry);
    send(entry.frame);
    if (!marks.length) ping();
  };
  return {
    add: (frame, now) =>
      now || queued.length < max
        ? new Promise<void>((done, fail) => {
            const e = { frame, done, fail };
            if (now) transmit(e);
            else queued.push(e);
          })
        : Promise.reject(full()),
    flush() {
      const waiting = queued;
      queued = [];
      waiting.forEach(transmit);
    },
    ping,
    pong() {
      // Up to the mark (-1 + 1: no ping in flight, or none sent before it).
      for (const e of unconfirmed.splice(0, unconfirmed.indexOf(marks.shift()!) + 1)) e.done();
      if (unconfirmed.length && !marks.length) ping();
    },
    down(error) {
      const all = unconfirmed.concat(queued);
      unconfirmed = [];
      marks = [];
      // `all` keeps what does not fit (everything, with an error).
      queued = error ? [] : all.splice(0, max);
      for (const e of all) e.fail(error ?? full());
    },
  };
}
