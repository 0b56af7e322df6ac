// Fuzzing the client: a raw fake server sends generated malformed frames to a subscribed
// `openkbs-pulse` client. No crash, no unhandled rejection, every malformed frame produces exactly
// one `invalid_message` PulseError on the error event, no message or presence callback fires for
// any of them, presence state stays empty, and the client keeps working on the same connection.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import Pulse, { isPulseError, type PulseError } from 'openkbs-pulse';
import { malformedServerFrame, type MalformedFrame } from '../test-helpers/malformed-frames.js';
import { WebSocket, WebSocketServer, type WsWebSocket, type WsWebSocketServer } from '../test-helpers/ws.js';

const CHANNEL = 'fuzz';
/** The class that used to crash the client (TypeError in applyPresence on a `null` member). */
const NULL_MEMBER_SYNC = 'presence sync with a bad member';

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
      const badName = frame.reason.includes('invalid channel name');
      if (typeof object.channel === 'string' && object.channel !== '' && !badName && !frame.payload.includes('__proto__')) {
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
    pulse = new Pulse({ kbId: 'kb', token: `e30.${Buffer.from(JSON.stringify({ kbId: 'kb', userId: 'u' })).toString('base64url')}.sig`, endpoint, WebSocket: WebSocket as never, heartbeatIntervalMs: 600_000 });
    const errors: PulseError[] = [];
    pulse.on('error', (error) => errors.push(error));
    const states: string[] = [];
    pulse.onStateChange((state) => states.push(state));
    const channel = pulse.channel(CHANNEL);
    const delivered: unknown[] = [];
    channel.subscribe((data) => delivered.push(data));
    let presenceCallbacks = 0;
    channel.presence.subscribe(() => presenceCallbacks++);
    channel.presence.onEnter(() => presenceCallbacks++);
    channel.presence.onLeave(() => presenceCallbacks++);
    channel.presence.onUpdate(() => presenceCallbacks++);
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
    // Frames arrive in order on one socket: everything sent before 'alive' has been handled.
    return { uncaught, errors, delivered, presenceCallbacks, aliveData, newStates: states.slice(statesBefore), channel };
  } finally {
    process.off('unhandledRejection', onUncaught);
    process.off('uncaughtException', onUncaught);
  }
}

/** What a storm of only-malformed frames must leave behind: one invalid_message per frame, nothing delivered. */
function expectAllRejected(seen: Awaited<ReturnType<typeof storm>>, count: number) {
  expect(seen.uncaught).toEqual([]);
  expect(seen.aliveData).toEqual({ type: 'alive', n: 1 });
  expect(seen.newStates).toEqual([]); // never dropped or replaced the connection
  expect(pulse?.state).toBe('connected');
  for (const error of seen.errors) {
    expect(isPulseError(error)).toBe(true);
    expect(error.code).toBe('invalid_message');
  }
  expect(seen.errors).toHaveLength(count);
  expect(seen.delivered).toEqual([{ type: 'alive', n: 1 }]); // only the valid frame after the storm
  expect(seen.presenceCallbacks).toBe(0);
  expect(seen.channel.presence.members).toEqual([]);
  expect(seen.channel.presence.count).toBe(0);
}

describe('client fuzz', () => {
  it('rejects 1,000+ malformed frames from the service, each with one invalid_message error, and keeps working', async () => {
    const frames = fc.sample(malformedServerFrame(), { numRuns: 1_700, seed: 4242 });
    expect(frames.length).toBeGreaterThanOrEqual(1_000);
    const nullMembers = frames.filter((f) => f.reason === NULL_MEMBER_SYNC).length;
    expect(nullMembers).toBeGreaterThan(0); // the class that used to crash the client is in the run
    const seen = await storm(frames.map(aimed));
    expectAllRejected(seen, frames.length);
    console.log(
      `[client fuzz] ${frames.length} malformed frames (${nullMembers} syncs with a bad member): ${seen.errors.length} invalid_message errors, ` +
        `${seen.delivered.length - 1} reached a message callback, ${seen.presenceCallbacks} presence callbacks`,
    );
  });

  // Used to throw a TypeError inside the socket's message handler (applyPresence read
  // member.connectionId of null): an uncaught exception.
  it('survives presence syncs with a null or non-object member', async () => {
    const bad = fc.sample(malformedServerFrame(), { numRuns: 3_000, seed: 1 }).filter((f) => f.reason === NULL_MEMBER_SYNC);
    const payloads = [
      JSON.stringify({ type: 'presence', action: 'sync', channel: CHANNEL, count: 1, members: [null] }),
      JSON.stringify({ type: 'presence', action: 'sync', channel: CHANNEL, count: 2, members: [{ userId: 'u', connectionId: 'c' }, 7] }),
      ...bad.map(aimed),
    ];
    const seen = await storm(payloads);
    expectAllRejected(seen, payloads.length);
  });
});
