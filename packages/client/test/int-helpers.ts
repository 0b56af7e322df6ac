import type { PulseService } from '@openkbs-pulse/mock-server';
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
