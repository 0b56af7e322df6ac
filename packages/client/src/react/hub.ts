/**
 * The hub behind one `<PulseProvider>`: the client it lends to every hook, and the reference
 * counts that make React's mount → unmount → mount (StrictMode, Fast Refresh, a moved component)
 * invisible to the service.
 *
 * The engine unsubscribes the moment a channel's last listener goes, forgets presence the moment
 * its last presence listener goes, and `leave()` is a frame other users see. A hook that undid its
 * work in its effect cleanup and redid it in the next mount would therefore send unsubscribe +
 * subscribe, leave + enter (presence flickers for everyone) and, for the client, close + open a
 * socket. So every "undo" here is deferred to a macrotask: StrictMode's re-mount happens in the
 * same commit, takes the resource back first, and nothing is sent. A deferred listener is muted at
 * once, so nothing is delivered twice while the old and the new listener overlap.
 * @module
 */
import Pulse, { PulseError } from 'openkbs-pulse';
import type { AuthResult, Clock, ConnectionState, MessageFrame, PresenceMember, PulseOptions, Unsubscribe } from 'openkbs-pulse';
import { DEFAULT_AUTH_TIMEOUT_MS, messageText, RECONNECT_DELAYS_MS, shownValue, systemClock } from '@openkbs-pulse/protocol';

/**
 * Options of a client the provider creates: the options of `new Pulse(...)`, where `token` may be
 * left out when `authCallback` is given (then the first token comes from `authCallback` too).
 * `autoConnect` is not accepted: the provider connects when it mounts in the browser, never on
 * the server.
 */
export type PulseProviderOptions = Omit<PulseOptions, 'kbId' | 'token' | 'autoConnect'> & {
  /**
   * Your knowledge base id. Leave it out when `authCallback` answers it with the first token
   * (`{ kbId, token, endpoint }`, what a token route often returns anyway); needed with `token`.
   */
  kbId?: string;
  /** A JWT from your backend (then `kbId` too). Leave it out to get the first token from `authCallback`. */
  token?: string;
};

/** What `authCallback` may answer to a provider: also the `kbId`, read from the first answer when the options have none. */
type FirstAuth = { token: string; endpoint?: string; kbId?: string };

/**
 * The first answer of `authCallback`, bounded as the client bounds every later one: rejects with
 * `timeout` after `authTimeoutMs` (DEFAULT_AUTH_TIMEOUT_MS, 10 s; an invalid value is refused by the client made from the
 * answer), and a callback that throws rejects instead of throwing out of the provider's effect.
 */
function firstAnswer(authCallback: NonNullable<PulseOptions['authCallback']>, options: PulseProviderOptions, stop: AbortSignal): Promise<AuthResult> {
  const { clock = systemClock, authTimeoutMs: ms } = options;
  const timeoutMs = typeof ms === 'number' && ms > 0 && ms < Infinity ? ms : DEFAULT_AUTH_TIMEOUT_MS;
  return new Promise<AuthResult>((resolve, reject) => {
    // systemClock: a timeout over 2^31 - 1 ms waits that long, not 1 ms.
    const timer = clock.setTimeout(
      () => reject(new PulseError('timeout', `PulseProvider: authCallback gave no first token within ${timeoutMs} ms (authTimeoutMs); fix your token endpoint, then remount the provider`)),
      timeoutMs,
    );
    // The provider unmounted: no timer may keep Node alive, and a call waiting for the client
    // (a publish) is told now, since no token that comes later will be used.
    stop.addEventListener('abort', () => {
      clock.clearTimeout(timer);
      reject(new PulseError('disconnected', 'PulseProvider: it unmounted before authCallback gave the first token, so nothing was sent; call it while the provider is mounted'));
    });
    new Promise<AuthResult>((answer) => answer(authCallback())).then(resolve, reject).finally(() => clock.clearTimeout(timer));
  });
}

/** The options' problem, said so that it can be fixed, or undefined. */
export function providerOptionsProblem(options: PulseProviderOptions): string | undefined {
  if (options.authCallback) return undefined;
  const example = 'e.g. authCallback: () => fetch("/api/pulse-token").then((r) => r.json())';
  if (options.token === undefined) return `PulseProvider: options need a token or an authCallback (${example})`;
  if (options.kbId === undefined) return `PulseProvider: options need a kbId, or an authCallback answering { kbId, token } (${example})`;
  return undefined;
}

/**
 * Why there is no kbId, with the fix that works: with `options.token` given, `authCallback` is
 * asked only for later tokens, so its answer cannot carry the kbId.
 */
const noKbId = (tokenGiven: boolean): string =>
  tokenGiven
    ? 'PulseProvider: no kbId: options.token is given, so authCallback is not asked for the first token; set options.kbId, or leave token out to take { kbId, token } from authCallback'
    : 'PulseProvider: no kbId: set options.kbId, or answer { kbId, token } from authCallback';

/** What `usePresence` returns. */
export interface PresenceSnapshot {
  /** Members of the channel (the service lists at most 100). */
  readonly members: readonly PresenceMember[];
  /** Exact member count. */
  readonly count: number;
}

/** The state reported before any client exists: on the server, and until the first token arrives. */
export const INITIAL_STATE: ConnectionState = 'connecting';

/** The presence snapshot on the server and before the first sync. */
export const EMPTY_PRESENCE: PresenceSnapshot = Object.freeze({ members: Object.freeze([]) as readonly PresenceMember[], count: 0 });

/** Runs `fn` after the current commit (a macrotask): late enough for StrictMode's re-mount. */
const later = (fn: () => void): void => void setTimeout(fn, 0);

/** Presence of one channel as an external store (one engine listener however many hooks read it). */
interface PresenceStore {
  subscribe(listener: () => void): Unsubscribe;
  getSnapshot(): PresenceSnapshot;
}

/** One mounted `usePresence`'s hold on a membership: its data, and where its `error` goes. */
interface Holder {
  readonly data: unknown;
  /** `data` as JSON, how data is compared. */
  readonly json: string;
  /** Why entering with the membership's data failed, or `undefined` once it is entered. */
  readonly report: (error: PulseError | undefined) => void;
}

/** Our membership in one channel's presence, shared by every `usePresence` of it that enters. */
interface Membership {
  /**
   * The mounted components holding it, oldest first. The last one's data is the member's data,
   * so when it unmounts the member takes the data of one still mounted.
   */
  readonly holders: Holder[];
  /** JSON of the data last sent, so a re-mount with the same data sends nothing. */
  sent: string | undefined;
  /** While an enter failed for a reason a new connection may not have: waits for `connected`. */
  retry?: Unsubscribe | undefined;
  /** Sends the last holder's data, unless it is what was sent. */
  readonly send: () => void;
  /** Failed enters in a row: the backoff step of the next retry on a live connection. */
  failures: number;
}

/**
 * Our memberships per client and channel, shared by every hub on the client: the engine holds one
 * membership per channel per client, so a hub counting only its own users would leave a member
 * that another hub's component still holds (two providers on one client, or a provider given a
 * new `key`, whose old hub's deferred leave ran after the new hub entered).
 */
const memberships = new WeakMap<Pulse, Map<string, Membership>>();

/** The memberships on `client`, created empty on first use. */
function membershipsOf(client: Pulse): Map<string, Membership> {
  let own = memberships.get(client);
  if (!own) memberships.set(client, (own = new Map()));
  return own;
}

/** Whether `m` is still the membership of `channel` on `client` (not given up, its client not closed by its hub). */
const current = (client: Pulse, channel: string, m: Membership): boolean => memberships.get(client)?.get(channel) === m;

/** Failures of an enter that entering again cannot fix (the data itself is refused). */
const FINAL_ENTER_FAILURES: readonly string[] = ['invalid_argument', 'message_too_large'];

/** The hub of one provider. Created during render, so its constructor has no side effects. */
export class PulseHub {
  private client: Pulse | undefined;
  /** A client being created (the first token is being fetched). */
  private pending: Promise<Pulse> | undefined;
  /** Stops waiting for the first token (its deadline's timer) when every user left. */
  private stopFirst: AbortController | undefined;
  private users = 0;
  private error: PulseError | undefined;
  private failed = false;
  private readonly listeners = new Set<() => void>();
  private presenceStores = new WeakMap<Pulse, Map<string, PresenceStore>>();
  private stopWatching: Unsubscribe | undefined;
  /** Per client and channel: listeners, presence readers and memberships the hooks hold. */
  private channelUses = new WeakMap<Pulse, Map<string, number>>();

  /**
   * @param source a ready client (never closed by the hub: it is yours) or a function returning
   *   the latest options (read when a client is created, so a changed `authCallback` is used).
   */
  constructor(source: Pulse | (() => PulseProviderOptions)) {
    // Told apart by type, not instanceof: a client from another copy of the package is still a client.
    if (typeof source === 'function') this.options = source;
    else this.given = this.client = source;
  }

  /** The client passed in, if any. */
  private readonly given: Pulse | undefined;
  /** The latest provider options, when the hub creates its client. */
  private readonly options: (() => PulseProviderOptions) | undefined;

  /** The client, or `undefined` before the provider mounted (and always on the server). */
  readonly getClient = (): Pulse | undefined => (this.users > 0 || this.given ? this.client : undefined);

  /** The connection state, as `useSyncExternalStore` reads it. */
  readonly getState = (): ConnectionState => {
    const client = this.getClient();
    if (client) return client.state;
    return this.failed ? 'failed' : INITIAL_STATE;
  };

  /** The last error of the client (or of fetching the first token). */
  readonly getError = (): PulseError | undefined => this.error;

  /** Calls `listener` when the client, its state or its last error changes. */
  readonly subscribe = (listener: () => void): Unsubscribe => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * The client for a call made now (a publish): the current one, the one whose first token is being
   * fetched, or a `not_connected` rejection: naming why no client could be made (the provider is
   * `failed`), else server rendering or a provider not mounted yet.
   */
  clientForCall(hook: string): Promise<Pulse> {
    const client = this.getClient();
    if (client) return Promise.resolve(client);
    if (this.pending) return this.pending;
    if (this.failed && this.error) {
      const cause = this.error;
      return Promise.reject(new PulseError('not_connected', `${hook}: the <PulseProvider> has no client, because making it failed (${cause.code}): ${cause.message}`, { cause }));
    }
    return Promise.reject(
      new PulseError(
        'not_connected',
        `${hook}: there is no client here (server rendering, or the <PulseProvider> is not mounted yet); call it from an event handler or an effect`,
      ),
    );
  }

  /** A user (the provider) mounted: creates and connects the client on first use. */
  acquire(): void {
    this.users++;
    if (this.users > 1) return;
    if (this.given) {
      // Still watched when a re-mount comes before the deferred release ran.
      if (!this.stopWatching) this.watch(this.given);
      this.notify();
    } else if (!this.client && !this.pending) {
      this.create(this.options!());
    }
  }

  /** A user unmounted: the last one closes the client we created, unless a re-mount comes first. */
  release(): void {
    this.users--;
    later(() => {
      if (this.users > 0) return;
      this.stopWatching?.();
      this.stopWatching = undefined;
      if (!this.given) {
        // The client goes, and with it what the hooks held on it (the service drops its presence).
        // A client passed in stays: the hooks' own deferred undo (leave, remove listeners) runs on it.
        this.presenceStores = new WeakMap();
        this.channelUses = new WeakMap();
        if (this.client) {
          for (const m of memberships.get(this.client)?.values() ?? []) m.retry?.();
          memberships.delete(this.client);
        }
        this.client?.disconnect();
        this.client = undefined;
        // A client still waiting for its token is dropped when the token arrives (see create).
        this.pending = undefined;
        this.stopFirst?.abort();
      }
      this.notify();
    });
  }

  /**
   * Creates the client. Runs in the provider's effect, so options the client refuses (a token that
   * is not a JWT) are reported as the state `failed` and the error, never thrown: a throw there
   * would unmount the whole React root after a server render that went fine.
   */
  private create(options: PulseProviderOptions): void {
    // A new attempt (the provider shown again after it was hidden): an earlier one's failure is over.
    if (this.failed || this.error) {
      this.failed = false;
      this.error = undefined;
      this.notify();
    }
    const problem = providerOptionsProblem(options);
    if (problem) return this.fail(new PulseError('invalid_argument', problem));
    const { token, authCallback, kbId, ...rest } = options;
    // The latest authCallback, so an inline function given on a later render is the one called.
    const refresh = authCallback && ((): ReturnType<NonNullable<PulseOptions['authCallback']>> => (this.currentAuth() ?? authCallback)());
    const make = (first: FirstAuth): Pulse => {
      const id = kbId ?? first.kbId;
      if (id === undefined) throw new PulseError('invalid_argument', noKbId(token !== undefined));
      // Connected by adopt(): a client whose users all left while its token was fetched never opens a socket.
      // The first answer's endpoint as the option: a later answer naming another comes first (the
      // engine's order), and one naming none keeps it, as a client keeps an answer's endpoint.
      return new Pulse({ ...rest, kbId: id, token: first.token, endpoint: first.endpoint ?? rest.endpoint, authCallback: refresh, autoConnect: false });
    };
    if (token !== undefined) {
      let client: Pulse;
      try {
        client = make({ token });
      } catch (cause) {
        return this.fail(cause);
      }
      return this.adopt(client);
    }
    const stop = (this.stopFirst = new AbortController());
    const pending = firstAnswer(refresh!, options, stop.signal).then((result: AuthResult) => make(typeof result === 'string' ? { token: result } : (result as FirstAuth)));
    this.pending = pending;
    pending.then(
      (client) => {
        if (this.pending !== pending) return; // every user left meanwhile: never connected
        if (this.users === 0) {
          // Unmounted, its deferred close not run yet: drop it too (a later mount creates a client again).
          this.pending = undefined;
          return;
        }
        this.pending = undefined;
        this.adopt(client);
      },
      (cause: unknown) => {
        if (this.pending !== pending) return;
        this.pending = undefined;
        this.fail(cause);
      },
    );
  }

  /** No client could be made: the state is `failed`, and `cause` the error the hooks report. */
  private fail(cause: unknown): void {
    this.failed = true;
    this.error =
      cause instanceof PulseError
        ? cause
        : new PulseError('invalid_response', `PulseProvider: authCallback failed to give the first token (${shownValue(cause)}); fix your token endpoint, then remount the provider`, { cause });
    this.notify();
  }

  private currentAuth(): PulseOptions['authCallback'] {
    return this.options?.().authCallback;
  }

  private adopt(client: Pulse): void {
    this.client = client;
    this.failed = false;
    this.watch(client);
    client.connect();
    this.notify();
  }

  private watch(client: Pulse): void {
    const offState = client.onStateChange(() => this.notify());
    const offError = client.on('error', (error) => {
      this.error = error;
      this.notify();
    });
    this.stopWatching = () => {
      offState();
      offError();
    };
  }

  private use(client: Pulse, channel: string): void {
    let uses = this.channelUses.get(client);
    if (!uses) this.channelUses.set(client, (uses = new Map()));
    uses.set(channel, (uses.get(channel) ?? 0) + 1);
  }

  /**
   * The hooks gave up one use of `channel` (called from the deferred undo, after their own
   * listeners and membership went). The channel is not released: the app's own listeners and
   * presence on it (through `usePulseClient()`) stay, and the engine unsubscribes once nothing
   * needs it (presence tracked because the hooks read `members`/`count` ends with the channel's
   * last message listener).
   */
  private unuse(client: Pulse, channel: string): void {
    const uses = this.channelUses.get(client);
    const left = (uses?.get(channel) ?? 1) - 1;
    if (left > 0) uses?.set(channel, left);
    else uses?.delete(channel);
  }

  /**
   * Adds a message listener; the returned removal mutes it at once and removes it later, so a
   * re-mount's listener keeps the server subscription without a duplicate delivery.
   */
  listen(client: Pulse, channel: string, event: string | undefined, handler: (data: object, frame: MessageFrame) => void): Unsubscribe {
    let live = true;
    const ch = client.channel(channel);
    const deliver = (data: object, frame: MessageFrame): void => {
      if (live) handler(data, frame);
    };
    const off = event === undefined ? ch.subscribe(deliver) : ch.subscribe<object>(event as string, deliver);
    this.use(client, channel);
    return () => {
      live = false;
      later(() => {
        off();
        this.unuse(client, channel);
      });
    };
  }

  /** The presence store of `channel` on `client` (one per channel while the client lives). */
  presence(client: Pulse, channel: string): PresenceStore {
    let stores = this.presenceStores.get(client);
    if (!stores) this.presenceStores.set(client, (stores = new Map()));
    let store = stores.get(channel);
    if (store) return store;
    const presence = client.channel(channel).presence;
    let snapshot: PresenceSnapshot = EMPTY_PRESENCE;
    const read = (): PresenceSnapshot => {
      const members = presence.members;
      const count = presence.count;
      // A new object only when something changed: useSyncExternalStore compares snapshots by identity.
      const same =
        count === snapshot.count &&
        members.length === snapshot.members.length &&
        members.every((m, i) => m === snapshot.members[i]);
      if (!same) snapshot = Object.freeze({ members: Object.freeze(members), count });
      return snapshot;
    };
    // Not read here (this runs during render): reading the members may make the client track presence,
    // which sends frames. The first subscriber reads them; until then the snapshot is empty.
    const storeListeners = new Set<() => void>();
    let stop: Unsubscribe | undefined;
    const changed = (): void => {
      read();
      for (const listener of [...storeListeners]) listener();
    };
    store = {
      subscribe: (listener) => {
        storeListeners.add(listener);
        // One engine listener for all readers; it also makes the engine track (sync) presence.
        if (!stop) {
          const offMembers = presence.subscribe(changed);
          // Presence is dropped without a members event when the connection closes: re-read on every state change.
          const offState = client.onStateChange(changed);
          this.use(client, channel);
          stop = () => {
            offMembers();
            offState();
            this.unuse(client, channel);
          };
        }
        changed();
        return () => {
          storeListeners.delete(listener);
          later(() => {
            if (storeListeners.size > 0 || !stop) return;
            stop();
            stop = undefined;
            // Forgotten with its last reader (a channel per document must not stay): a later
            // reader gets a new store.
            if (stores.get(channel) === store) stores.delete(channel);
          });
        };
      },
      getSnapshot: () => snapshot,
    };
    stores.set(channel, store);
    return store;
  }

  /**
   * Enters (or updates) our presence in `channel` with `data`; the returned function gives it up.
   * The last one given up leaves, later, unless a re-mount entered again meanwhile. Several
   * components entering the same channel on one client share one membership (the last data
   * wins), whichever provider they are under.
   * @param report - told why entering failed, and `undefined` once entered.
   */
  enter(client: Pulse, channel: string, data: unknown, report: (error: PulseError | undefined) => void): Unsubscribe {
    const own = membershipsOf(client);
    const m = own.get(channel) ?? newMembership(client, channel, this.options?.().clock ?? systemClock);
    own.set(channel, m);
    const holder: Holder = { data, json: JSON.stringify(data ?? null), report };
    m.holders.push(holder);
    // Counted per use, not per membership: the membership may outlive this hub.
    this.use(client, channel);
    m.send();
    return () => {
      m.holders.splice(m.holders.indexOf(holder), 1);
      later(() => {
        this.unuse(client, channel);
        if (!current(client, channel, m)) return;
        // Still held (by others, or by a re-mount): the latest holder's data, not a leave. A
        // re-mount sent its own data already, so this sends nothing then.
        if (m.holders.length > 0) return m.send();
        m.retry?.();
        own.delete(channel);
        client.channel(channel).presence.leave().catch(() => undefined); // a closed client has left already
      });
    };
  }
}

/** A membership not entered yet, entering with `clock` for its retries. */
function newMembership(client: Pulse, channel: string, clock: Clock): Membership {
  const m: Membership = { holders: [], sent: undefined, failures: 0, send: () => sendLatest(client, channel, m, clock) };
  return m;
}

/**
 * Enters (or updates) with the last holder's data, unless it is what was sent. Once it is entered,
 * no holder has an error any more (each is a member); a failure goes to the holder whose data failed.
 */
function sendLatest(client: Pulse, channel: string, m: Membership, clock: Clock): void {
  const holder = m.holders[m.holders.length - 1];
  if (!holder || m.sent === holder.json || !current(client, channel, m)) return;
  const { data, json } = holder;
  const first = m.sent === undefined;
  m.sent = json;
  const presence = client.channel(channel).presence;
  (first ? presence.enter(data) : presence.update(data)).then(
    () => {
      if (m.sent !== json) return; // other data was sent since: its answer tells
      m.failures = 0;
      for (const h of m.holders) h.report(undefined);
    },
    (error: unknown) => {
      // Not for a membership given up meanwhile (unmounted: nothing to report or retry).
      if (m.sent !== json || !current(client, channel, m)) return;
      m.sent = undefined; // not entered with it: a re-mount tries again
      const failure = toPulseError(error);
      holder.report(failure);
      if (!FINAL_ENTER_FAILURES.includes(failure.code)) armRetry(client, m, clock);
    },
  );
}

/**
 * Enters again, with the latest data, while the membership is still wanted ("a member while
 * mounted"): once connected again after a suspension's `timeout` or a dropped connection, or on a
 * live connection after a refusal such as `rate_limited`, on the reconnect backoff (1, 2, 5, 10,
 * then 30 s).
 */
function armRetry(client: Pulse, m: Membership, clock: Clock): void {
  if (m.retry) return;
  let timer: unknown;
  const wait = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
  // Connected again: now. The connection gone (dropped, or disconnect()): no timer, which would
  // keep Node alive for nothing; the next `connected` enters.
  const offState = client.onStateChange((state) => (state === 'connected' ? again() : wait()));
  const cancel = (): void => {
    offState();
    wait();
    m.retry = undefined;
  };
  const again = (): void => {
    cancel();
    m.send();
  };
  if (client.state === 'connected') timer = clock.setTimeout(again, RECONNECT_DELAYS_MS[Math.min(m.failures++, RECONNECT_DELAYS_MS.length - 1)]!);
  m.retry = cancel;
}

const toPulseError = (error: unknown): PulseError =>
  error instanceof PulseError ? error : new PulseError('invalid_response', messageText(error), { cause: error });
