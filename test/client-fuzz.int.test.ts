// Fuzzing the client: a raw fake server sends generated malformed frames to a subscribed
// `openkbs-pulse` client. No crash, no unhandled rejection, errors (if any) are typed
// PulseErrors, callbacks only ever see objects with a string `type`, and the client keeps working.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import Pulse, { isPulseError, type PulseError } from 'openkbs-pulse';
import { ERROR_CODES } from '@openkbs-pulse/protocol';
import { malformedServerFrame, type MalformedFrame } from '../test-helpers/malformed-frames.js';
import { WebSocket, WebSocketServer, type WsWebSocket, type WsWebSocketServer } from '../test-helpers/ws.js';

const CHANNEL = 'fuzz';
/** Frame class that crashes the client today (see the `it.fails` below). */
const KNOWN_CRASH = 'presence sync with a bad member';

let server: WsWebSocketServer | undefined;
let pulse: Pulse | undefined;

afterEach(async () => {
  pulse?.disconnect();
  pulse = undefined;
  for (const client of server?.clients ?? []) client.terminate();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Points every frame that names a (valid) channel at the channel the client listens to. */
function aimed(frame: MalformedFrame): string | Uint8Array {
  if (typeof frame.payload !== 'string') return frame.payload;
  try {
    const value = JSON.parse(frame.payload) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const object = value as Record<string, unknown>;
      if (typeof object.channel === 'string' && object.channel !== '' && !frame.payload.includes('__proto__')) {
        return JSON.stringify({ ...object, channel: CHANNEL });
      }
    }
  } catch {
    // not JSON: sent as is
  }
  return frame.payload;
}

/** Sends `payloads` to a subscribed client, then a valid message; returns what the client saw. */
async function storm(payloads: Array<string | Uint8Array>) {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('unhandledRejection', onUncaught);
  process.on('uncaughtException', onUncaught);
  try {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
    const connected = new Promise<WsWebSocket>((resolve) => server!.once('connection', (ws: WsWebSocket) => resolve(ws)));
    const endpoint = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    pulse = new Pulse({ kbId: 'kb', token: 'header.payload.sig', endpoint, WebSocket: WebSocket as never, heartbeatIntervalMs: 600_000 });
    const errors: PulseError[] = [];
    pulse.on('error', (error) => errors.push(error));
    const states: string[] = [];
    pulse.onStateChange((state) => states.push(state));
    const channel = pulse.channel(CHANNEL);
    const delivered: unknown[] = [];
    channel.subscribe((data) => delivered.push(data));
    let presenceCallbacks = 0;
    channel.presence.subscribe(() => presenceCallbacks++);
    const ws = await connected;
    if (pulse.state !== 'connected') {
      await new Promise<void>((resolve) => {
        const stop = pulse!.onStateChange((state) => state === 'connected' && (stop(), resolve()));
      });
    }
    const statesBefore = states.length;

    for (const payload of payloads) ws.send(payload, { binary: typeof payload !== 'string' });
    // A valid frame after the storm must still arrive on the same connection.
    const alive = new Promise<unknown>((resolve) => channel.subscribe('alive', (data) => resolve(data)));
    ws.send(JSON.stringify({ type: 'message', channel: CHANNEL, data: { type: 'alive', n: 1 }, timestamp: 1 }));
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no 'alive' message; states ${states.join(',')}; uncaught: ${uncaught.map(String).slice(0, 2).join(' | ')}`)), 10_000),
    );
    const aliveData = await Promise.race([alive, timeout]);
    return { uncaught, errors, delivered, presenceCallbacks, aliveData, newStates: states.slice(statesBefore), channel };
  } finally {
    process.off('unhandledRejection', onUncaught);
    process.off('uncaughtException', onUncaught);
  }
}

describe('client fuzz', () => {
  it('survives 1,000+ malformed frames from the service and keeps working', async () => {
    const frames = fc.sample(malformedServerFrame(), { numRuns: 1_700, seed: 4242 }).filter((f) => f.reason !== KNOWN_CRASH);
    expect(frames.length).toBeGreaterThanOrEqual(1_000);
    const seen = await storm(frames.map(aimed));

    expect(seen.uncaught).toEqual([]);
    expect(seen.aliveData).toEqual({ type: 'alive', n: 1 });
    expect(seen.newStates).toEqual([]); // never dropped or replaced the connection
    expect(pulse?.state).toBe('connected');
    for (const error of seen.errors) {
      expect(isPulseError(error)).toBe(true);
      expect(ERROR_CODES).toContain(error.code);
    }
    for (const data of seen.delivered) {
      expect(typeof data).toBe('object');
      expect(typeof (data as { type?: unknown }).type).toBe('string');
    }
    expect(Array.isArray(seen.channel.presence.members)).toBe(true);
    expect(Number.isFinite(seen.channel.presence.count) && seen.channel.presence.count >= 0).toBe(true);
    console.log(
      `[client fuzz] ${frames.length} malformed frames: ${seen.errors.length} error events, ` +
        `${seen.delivered.length - 1} invalid frames reached a message callback, ${seen.presenceCallbacks} presence callbacks`,
    );
  });

  // KNOWN BUG (reported to the client owner): a presence sync whose members contain a non-object
  // (e.g. null) throws a TypeError inside the socket's message handler (applyPresence reads
  // member.connectionId): an uncaught exception. `it.fails` keeps CI green while the bug stands
  // and turns red once it is fixed: then drop `.fails` and the KNOWN_CRASH filter above.
  it.fails('survives a presence sync with a null member', async () => {
    const bad = fc.sample(malformedServerFrame(), { numRuns: 3_000, seed: 1 }).filter((f) => f.reason === KNOWN_CRASH);
    const payloads = [JSON.stringify({ type: 'presence', action: 'sync', channel: CHANNEL, count: 1, members: [null] }), ...bad.map(aimed)];
    const seen = await storm(payloads);
    expect(seen.uncaught).toEqual([]);
    expect(seen.newStates).toEqual([]);
  });
});
