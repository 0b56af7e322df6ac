/**
 * The connection state table. The engine reads behaviour from here instead of scattering
 * `if (state === ...)` checks: whether publishes are queued or sent, whether a lost
 * connection is retried, and whether the state is terminal (left only by `connect()`).
 * @module
 */

/** Connection states, as the seed documents them. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'reconnecting' | 'failed';

/** What a state allows. */
export interface StateInfo {
  /** Publishes made in this state wait in the outgoing queue. */
  readonly queues: boolean;
  /** Frames go straight to the socket. */
  readonly sends: boolean;
  /** A lost or failed socket is replaced automatically (and `online`/`visible` wake it up). */
  readonly retry: boolean;
  /** No automatic way out: only `connect()` leaves it. */
  readonly terminal: boolean;
}

/** The table. `disconnected` is where `disconnect()` (or `autoConnect: false`) leaves the client. */
export const STATES: Readonly<Record<ConnectionState, StateInfo>> = {
  connecting: { queues: true, sends: false, retry: true, terminal: false },
  connected: { queues: true, sends: true, retry: true, terminal: false },
  reconnecting: { queues: true, sends: false, retry: true, terminal: false },
  disconnected: { queues: false, sends: false, retry: false, terminal: true },
  failed: { queues: false, sends: false, retry: false, terminal: true },
};
