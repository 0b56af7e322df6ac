/**
 * The connection state machine, as a table: (state × event) → next state + effects. The engine
 * (engine.ts) does nothing but look an event up here, move to the next state and run the listed
 * effects in order; an event a state does not list is ignored. docs/connection-states.md shows
 * the same table for people, and a test checks the two agree.
 *
 * States are Ably's (`Pulse.Realtime` shows them as they are); the `Pulse` face shows the seed's
 * five names, mapped by {@link pulseState}.
 * @module
 */

/** Where the connection is. */
export type EngineState =
  /** Created with `autoConnect: false`; nothing happened yet. */
  | 'initialized'
  /** Opening a socket, or fetching a fresh token before opening one. */
  | 'connecting'
  /** The socket is open: frames flow, publishes are sent. */
  | 'connected'
  /** The connection was lost; a retry is scheduled (backoff). Publishes wait in the queue. */
  | 'disconnected'
  /**
   * Disconnected for longer than `connectionStateTtlMs`: queued work was rejected with `timeout`
   * and new publishes reject at once until a connection opens; retries go on every 30 s.
   */
  | 'suspended'
  /** `close()` was called; the socket is closing (at most one second). */
  | 'closing'
  /** Closed by `close()`/`disconnect()`: only `connect()` leaves it. */
  | 'closed'
  /** Refused for good (bad token, forbidden, kb mismatch, Pulse not enabled): only `connect()` leaves it. */
  | 'failed';

/** What happens to the engine. */
export type EngineEvent =
  /** `connect()` was called. */
  | 'connect'
  /** `close()` / `disconnect()` was called. */
  | 'close'
  /** The socket opened. */
  | 'opened'
  /** The socket went down or an attempt failed, for a reason worth retrying. */
  | 'lost'
  /** The token expired (close 4001, or refused while expired): fetch a fresh one. */
  | 'expired'
  /** A fresh token arrived. */
  | 'authed'
  /** Refused for a reason retrying cannot fix. */
  | 'refused'
  /** The retry timer fired, or the browser came back online / visible. */
  | 'retry'
  /** `connectionStateTtlMs` passed without a connection. */
  | 'ttl'
  /** The closing socket is gone (or its one-second deadline passed). */
  | 'ended';

/** Side effects, run by the engine in the listed order. */
export type Effect =
  /** Open a socket (after the pre-connect checks). */
  | 'open'
  /** Fetch a fresh token (bounded by `authTimeoutMs`). */
  | 'auth'
  /** Resubscribe, re-enter presence, send the queue; reset the TTL timer. */
  | 'resume'
  /** Put unconfirmed publishes back in the queue; schedule a retry with backoff; start the TTL timer if not running. */
  | 'retry'
  /** Reject queued and unconfirmed work and pending presence reads with `timeout`. */
  | 'suspend'
  /** Close the socket (forced after one second); reject held work with `disconnected`. */
  | 'shutdown'
  /** Reject held work with the refusal, drop the socket and every timer. */
  | 'fail'
  /** Start listening to `online` / `visibilitychange` (the client is live). */
  | 'watch';

/**
 * One row of the table: the next state, then the effects, separated by spaces
 * (`'connecting watch open'`). The type only lets names of states and effects through.
 */
export type Transition = EngineState | `${EngineState} ${Effect}` | `${EngineState} ${Effect} ${Effect}`;

/** The table. An event a state does not list is ignored in that state. */
export const TRANSITIONS: Readonly<Record<EngineState, Partial<Record<EngineEvent, Transition>>>> = {
  initialized: {
    connect: 'connecting watch open',
    close: 'closed',
  },
  connecting: {
    opened: 'connected resume',
    lost: 'disconnected retry',
    expired: 'connecting auth',
    authed: 'connecting open',
    refused: 'failed fail',
    ttl: 'suspended suspend',
    close: 'closing shutdown',
  },
  connected: {
    lost: 'disconnected retry',
    expired: 'connecting auth',
    refused: 'failed fail',
    close: 'closing shutdown',
  },
  disconnected: {
    retry: 'connecting open',
    expired: 'connecting auth',
    ttl: 'suspended suspend',
    close: 'closed shutdown',
    refused: 'failed fail',
  },
  suspended: {
    // Attempts start and fail here (it lasts until a connection opens); an attempt still in
    // flight when the TTL passed may open, fail or be refused here too.
    opened: 'connected resume',
    lost: 'suspended retry',
    retry: 'suspended open',
    expired: 'suspended auth',
    authed: 'suspended open',
    refused: 'failed fail',
    close: 'closed shutdown',
  },
  closing: {
    ended: 'closed',
    connect: 'connecting watch open',
  },
  closed: {
    connect: 'connecting watch open',
  },
  failed: {
    connect: 'connecting watch open',
    close: 'closed',
  },
};

/** Connection states of the `Pulse` face, as the seed documents them. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'reconnecting' | 'failed';

/**
 * The `Pulse` face's name for an engine state. `retrying` is whether the connection was lost or
 * an attempt failed since `connect()`: a `connecting` after that is a `reconnecting`. The engine
 * emits a state event when `retrying` changes in the same state too (`connecting` → `connecting`
 * after a refused first token), so `Pulse` listeners hear every name this gives.
 */
export function pulseState(state: EngineState, retrying: boolean): ConnectionState {
  switch (state) {
    case 'connecting':
      return retrying ? 'reconnecting' : 'connecting';
    case 'disconnected':
    case 'suspended':
      return 'reconnecting';
    case 'connected':
    case 'failed':
      return state;
    default:
      return 'disconnected';
  }
}

/** Whether publishes made in `state` wait for a connection (else they reject at once with `not_connected`). */
export const holdsWork = (state: EngineState): boolean =>
  state === 'connecting' || state === 'connected' || state === 'disconnected';
