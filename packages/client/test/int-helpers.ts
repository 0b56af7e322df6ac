import { createPulseService, type PulseService, type PulseServiceOptions } from '@openkbs-pulse/mock-server';
import { afterEach, beforeEach } from 'vitest';
import type { ConnectionState, PulseChannel } from '../src/index.js';

/** Resolves when `register` calls back with a truthy check, rejects after `ms`. */
export function waitFor<T>(what: string, register: (done: (value: T) => void) => () => void, ms = 8000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let off: () => void = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    off = register((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

interface StateSource {
  readonly state: ConnectionState;
  onStateChange(cb: (state: ConnectionState) => void): () => void;
}

/** Resolves once `client` is in `state` (at once if it already is). */
export function reachState(client: StateSource, state: ConnectionState): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return waitFor(`state ${state}`, (done) => client.onStateChange((s) => s === state && done(undefined)));
}

let probes = 0;
/** Publishes a probe on `channel` and waits until it comes back: the subscription is live on the service. */
export async function roundTrip(channel: PulseChannel): Promise<void> {
  const id = ++probes;
  const back = waitFor('probe round trip', (done) => channel.subscribe('probe', (data) => data.id === id && done(undefined)));
  await channel.publish('probe', { id });
  await back;
}

/** Service tokens for `userId`, with the service's ws endpoint in their claims. */
export const tokenFor = (service: PulseService, userId: string, expiresIn?: number) =>
  service.createToken(userId, expiresIn === undefined ? {} : { expiresIn });

/**
 * A local service for each test of the file, made before it and closed after it with the clients
 * `track`ed meanwhile: `const local = serviceForEachTest();`, then `local.service` in the tests.
 */
export function serviceForEachTest(options: PulseServiceOptions = {}) {
  const clients: { disconnect(): void }[] = [];
  const local = {
    service: undefined as unknown as PulseService,
    track: <T extends { disconnect(): void }>(client: T): T => (clients.push(client), client),
  };
  beforeEach(async () => {
    local.service = await createPulseService({ host: '127.0.0.1', ...options });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await local.service.close();
  });
  return local;
}
