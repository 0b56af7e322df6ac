/**
 * The bounded outgoing publish queue. Each entry's promise resolves when its frame is handed
 * to the socket, or rejects with a typed {@link PulseError}: never a silent drop.
 * @module
 */
import { PulseError } from '@openkbs-pulse/protocol';

interface Entry {
  frame: string;
  resolve: () => void;
  reject: (error: PulseError) => void;
}

/** A bounded FIFO of serialized publish frames. */
export interface PublishQueue {
  /** Queues `text`; the promise settles when it is sent or rejected. */
  add(text: string): Promise<void>;
  /** Sends every queued frame in order with `send`, resolving each. */
  flush(send: (text: string) => void): void;
  /** Rejects and drops every queued frame. */
  rejectAll(error: PulseError): void;
}

/** Creates a queue holding at most `max` frames; more are rejected with `queue_full`. */
export function createQueue(max: number): PublishQueue {
  let entries: Entry[] = [];
  return {
    add: (text) =>
      entries.length >= max
        ? Promise.reject(new PulseError('queue_full', `queue full (${max})`))
        : new Promise<void>((resolve, reject) => entries.push({ frame: text, resolve, reject })),
    flush(send) {
      const waiting = entries;
      entries = [];
      for (const entry of waiting) {
        send(entry.frame);
        entry.resolve();
      }
    },
    rejectAll(error) {
      const waiting = entries;
      entries = [];
      for (const entry of waiting) entry.reject(error);
    },
  };
}
