// Fault injection between the `openkbs-pulse` client and the local service, through the
// fault proxy: server restart, half-open connection (blackhole), network drop and return,
// a cut mid-frame, and token expiry during a session. After each, the client is connected and
// resubscribed, its presence is re-entered, and every publish queued during the outage is
// delivered exactly once, in order (counted by an observer connected straight to the service).
import { afterEach, describe, expect, it } from 'vitest';
import Pulse, { type PulseOptions } from 'openkbs-pulse';
import { createFakeClock, createPulseService, type FakeClock, type PulseService } from '@openkbs-pulse/mock-server';
import { buildConnectUrl, type ServerFrame } from '@openkbs-pulse/protocol';
import { createFaultProxy, modes, type FaultProxy } from '../test-helpers/fault-proxy.js';
import { openSocket, type RawSocket } from '../test-helpers/raw-socket.js';
import { WebSocket } from '../test-helpers/ws.js';

const CHANNEL = 'room';
const QUEUED = 7;

let service: PulseService | undefined;
let proxy: FaultProxy | undefined;
let pulse: Pulse | undefined;
const observers: RawSocket[] = [];

afterEach(async () => {
  // A snapshot (or an answer still in flight) from this test must not satisfy the next one's waits.
  presenceSnapshot = [];
  presenceGeneration++;
  pulse?.disconnect();
  pulse = undefined;
  await Promise.all(observers.splice(0).map((o) => o.close()));
  await proxy?.close();
  await service?.close();
  proxy = service = undefined;
});

/** Resolves when `predicate` holds, checking after each state change and every few ms (bounded). */
async function until(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function observe(expiresIn?: number): Promise<RawSocket> {
  const token = await service!.createToken('observer', expiresIn === undefined ? {} : { expiresIn });
  const observer = await openSocket(buildConnectUrl(service!.wsUrl, { kbId: service!.kbId, token, channel: CHANNEL }));
  observers.push(observer);
  return observer;
}

/** The `tick` numbers an observer saw, in order. */
function ticks(observer: RawSocket): number[] {
  return observer.received
    .filter((r) => r.parsed.ok && r.parsed.value.type === 'message' && r.parsed.value.data.type === 'tick')
    .map((r) => (r.parsed.ok && r.parsed.value.type === 'message' ? (r.parsed.value.data.n as number) : -1));
}

interface Harness {
  pulse: Pulse;
  received: number[];
  states: string[];
  publishQueued(): Promise<void>[];
  connectionIds(): string[];
}

async function startClient(options: Partial<PulseOptions> = {}): Promise<Harness> {
  const token = await service!.createToken('alice');
  pulse = new Pulse({
    kbId: service!.kbId,
    token,
    endpoint: proxy!.wsUrl,
    WebSocket: WebSocket as never,
    random: () => 0.99,
    ...options,
  });
  const client = pulse;
  const states: string[] = [];
  client.onStateChange((state) => states.push(state));
  const channel = client.channel(CHANNEL);
  const received: number[] = [];
  channel.subscribe('tick', (data) => received.push((data as unknown as { n: number }).n));
  void channel.presence.enter({ name: 'Alice' });
  await until('the client to connect', () => client.isConnected);
  await until('alice to be present', () => presentConnectionIds().length === 1);
  return {
    pulse: client,
    received,
    states,
    publishQueued() {
      expect(client.state).not.toBe('connected');
      return Array.from({ length: QUEUED }, (_, n) => channel.publish('tick', { n }));
    },
    connectionIds: () => service!.connections().filter((c) => c.userId === 'alice').map((c) => c.connectionId),
  };
}

/**
 * Connection ids of alice's presence members, from the service's own HTTP API: the answer to the
 * previous call (each call asks again), polled by `until`. Reset after every test.
 */
let presenceSnapshot: string[] = [];
let presenceGeneration = 0;
function presentConnectionIds(): string[] {
  const generation = presenceGeneration;
  void fetch(service!.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'pulsePresence', kbId: service!.kbId, apiKey: service!.apiKey, channel: CHANNEL }),
  })
    .then((r) => r.json() as Promise<{ members?: Array<{ userId: string; connectionId: string }> }>)
    .then((body) => {
      if (generation !== presenceGeneration) return;
      presenceSnapshot = (body.members ?? []).filter((m) => m.userId === 'alice').map((m) => m.connectionId);
    })
    .catch(() => undefined);
  return presenceSnapshot;
}

/** After recovery: connected, resubscribed, present again, every queued publish once and in order. */
async function expectRecovered(h: Harness, observer: RawSocket, queued: Promise<void>[], oldIds: string[]): Promise<void> {
  await until('the client to reconnect', () => h.pulse.isConnected);
  await Promise.all(queued);
  // Everything queued was sent before this barrier, on the same connection.
  const done = observer.nextMatching((f: ServerFrame) => f.type === 'message' && f.data.type === 'done');
  await h.pulse.channel(CHANNEL).publish('done', {});
  await done;
  const expected = Array.from({ length: QUEUED }, (_, n) => n);
  expect(ticks(observer)).toEqual(expected);
  // Resubscribed: the client got its own publishes back exactly once, and gets others' too.
  await until('the client to receive its own publishes', () => h.received.length >= QUEUED);
  const fromObserver = new Promise<void>((resolve) => {
    const stop = h.pulse.channel(CHANNEL).subscribe('hello', () => {
      stop();
      resolve();
    });
  });
  observer.send(JSON.stringify({ action: 'publish', channel: CHANNEL, event: 'hello', data: {} }));
  await fromObserver;
  expect(h.received).toEqual(expected);
  // Presence re-entered on the new connection.
  const [current] = h.connectionIds().filter((id) => !oldIds.includes(id));
  expect(current).toBeDefined();
  await until('presence re-entered on the new connection', () => presentConnectionIds().includes(current!));
  expect(service!.connections().find((c) => c.connectionId === current)?.channels).toContain(CHANNEL);
}

describe('fault injection between client and local service', () => {
  it('server restart: service.stop() then start() on the same port', async () => {
    service = await createPulseService();
    proxy = await createFaultProxy({ target: { port: service.port } });
    const h = await startClient();
    const oldIds = h.connectionIds();
    await service.stop();
    await until('the client to notice', () => !h.pulse.isConnected);
    const queued = h.publishQueued();
    await service.start();
    const observer = await observe();
    await expectRecovered(h, observer, queued, oldIds);
  });

  it('half-open connection (blackhole): the heartbeat detects it', async () => {
    service = await createPulseService();
    proxy = await createFaultProxy({ target: { port: service.port } });
    const observer = await observe();
    const h = await startClient({ heartbeatIntervalMs: 300, heartbeatTimeoutMs: 300 });
    const oldIds = h.connectionIds();
    const [connection] = proxy.connections();
    // New connections get through; this one silently eats everything, both ways.
    connection!.setMode(modes.blackhole());
    await until('the heartbeat to detect the dead connection', () => h.states.includes('reconnecting'));
    expect(connection!.bytesUp).toBeGreaterThan(connection!.forwardedUp); // the ping went into the hole
    // Publishes made after detection are queued, not lost in the hole.
    const queued = h.pulse.isConnected ? [] : h.publishQueued();
    expect(queued).toHaveLength(QUEUED);
    await expectRecovered(h, observer, queued, oldIds);
  });

  // The client keeps every publish written to the socket unconfirmed until a pong to a later
  // ping: one made inside a blackhole, before the heartbeat notices, is resent after the reconnection.
  it('a publish made inside the blackhole, before the heartbeat notices, is delivered once after the reconnection', async () => {
    service = await createPulseService();
    proxy = await createFaultProxy({ target: { port: service.port } });
    const observer = await observe();
    const h = await startClient({ heartbeatIntervalMs: 300, heartbeatTimeoutMs: 300 });
    const oldIds = h.connectionIds();
    const [connection] = proxy.connections();
    connection!.setMode(modes.blackhole());
    // Not detected yet: the client believes it is connected and writes the publishes into the hole.
    expect(h.pulse.state).toBe('connected');
    const channel = h.pulse.channel(CHANNEL);
    const sent = Array.from({ length: QUEUED }, (_, n) => channel.publish('tick', { n }));
    await until('the heartbeat to detect the dead connection', () => h.states.includes('reconnecting'));
    expect(connection!.forwardedUp).toBeLessThan(connection!.bytesUp); // they went into the hole
    await expectRecovered(h, observer, sent, oldIds);
  });

  it('network drop and return: connections reset, retries refused, then the network is back', async () => {
    service = await createPulseService();
    proxy = await createFaultProxy({ target: { port: service.port } });
    const observer = await observe();
    const h = await startClient();
    const oldIds = h.connectionIds();
    proxy.setMode(modes.drop());
    await until('the client to notice', () => !h.pulse.isConnected);
    const queued = h.publishQueued();
    // Let one reconnect attempt hit the dead network.
    const refused = proxy.nextConnection();
    await refused;
    expect(h.pulse.isConnected).toBe(false);
    proxy.setMode(modes.pass());
    await expectRecovered(h, observer, queued, oldIds);
  });

  it('a frame cut mid-way: the client drops the torn connection and recovers', async () => {
    service = await createPulseService();
    proxy = await createFaultProxy({ target: { port: service.port } });
    const observer = await observe();
    const h = await startClient();
    const oldIds = h.connectionIds();
    const [connection] = proxy.connections();
    connection!.setMode(modes.cut({ afterBytes: 5 }));
    observer.send(JSON.stringify({ action: 'publish', channel: CHANNEL, event: 'torn', data: { pad: 'x'.repeat(200) } }));
    await until('the client to notice', () => !h.pulse.isConnected);
    const queued = h.publishQueued();
    await expectRecovered(h, observer, queued, oldIds);
  });

  it('token expiry during a session: authCallback refreshes, then the client reconnects', async () => {
    const clock: FakeClock = createFakeClock(Date.now());
    service = await createPulseService({ clock });
    proxy = await createFaultProxy({ target: { port: service.port } });
    const observer = await observe(7 * 24 * 3600);
    let release: (() => void) | undefined;
    let refreshes = 0;
    const h = await startClient({
      token: await service.createToken('alice', { expiresIn: 60 }),
      authCallback: async () => {
        refreshes++;
        await new Promise<void>((resolve) => (release = resolve));
        return service!.createToken('alice', { expiresIn: 3600 });
      },
    });
    expect(h.pulse.isConnected).toBe(true);
    const oldIds = h.connectionIds();
    clock.advance(61_000); // past the 60 s token: the service closes the session with 4001
    await until('the authCallback to be called', () => refreshes === 1);
    const queued = h.publishQueued();
    release!();
    await expectRecovered(h, observer, queued, oldIds);
    expect(refreshes).toBe(1);
  });
});
