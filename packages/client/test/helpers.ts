import { createFakeClock, type FakeClock } from '@openkbs-pulse/mock-server';
import type { PulseTokenClaims } from '@openkbs-pulse/protocol';
import { afterEach } from 'vitest';
import Pulse, { Realtime, type PulseOptions } from '../src/index.js';
import { createFakeWebSocket, type FakeWebSocketFactory } from './fake-websocket.js';

/** An unsigned JWT with `claims` (the client only reads claims; the service verifies). */
export function makeToken(claims: Partial<PulseTokenClaims> = {}): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ kbId: 'kb', userId: 'u1', ...claims })}.sig`;
}

export interface Setup {
  clock: FakeClock;
  ws: FakeWebSocketFactory;
  /** Random value used for jitter (0 = no jitter). */
  random: { value: number };
}

const created: { disconnect(): void }[] = [];
afterEach(() => {
  for (const client of created.splice(0)) client.disconnect();
});

function base(overrides: Partial<PulseOptions>, nodeStyle = true) {
  const setup: Setup = { clock: createFakeClock(), ws: createFakeWebSocket(nodeStyle), random: { value: 0 } };
  const options: PulseOptions = {
    kbId: 'kb',
    token: makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(setup.clock.now() / 1000) + 3600 }),
    WebSocket: setup.ws.WebSocket,
    clock: setup.clock,
    random: () => setup.random.value,
    heartbeatIntervalMs: 20_000,
    heartbeatTimeoutMs: 10_000,
    ...overrides,
  };
  return { setup, options };
}

/** A `Pulse` on a fake socket and fake clock. The socket is not accepted yet. */
export function setupPulse(overrides: Partial<PulseOptions> = {}, nodeStyle = true) {
  const { setup, options } = base(overrides, nodeStyle);
  const pulse = new Pulse(options);
  created.push(pulse);
  return { ...setup, pulse, options };
}

/** A `Pulse.Realtime` on a fake socket and fake clock. */
export function setupRealtime(overrides: Partial<PulseOptions> & { clientId?: string } = {}) {
  const { setup, options } = base(overrides);
  const realtime = new Realtime(options);
  created.push({ disconnect: () => realtime.close() });
  return { ...setup, realtime, options };
}

/** Lets promise callbacks run. */
export const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** What `promise` came to once callbacks ran: 'pending', 'resolved' or the rejection's `code`. */
export async function settledAs(promise: Promise<unknown>): Promise<unknown> {
  let result: unknown = 'pending';
  promise.then(
    () => (result = 'resolved'),
    (e: { code?: unknown }) => (result = e.code),
  );
  await flush();
  return result;
}
