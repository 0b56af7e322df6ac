// An outside review found: the client README ("Connection states and events") and
// docs/migrating.md say that with `Pulse.Realtime` the errors that leave the state as it is,
// "(a service error frame, a failed token refresh, a failed attempt while reconnecting)", come as
// Ably's `'update'` event (`current === previous`), and show
// `connection.on('update', (change) => show(change.reason))`. Only the first is an update: a
// failed token refresh and a failed attempt while reconnecting (before `suspended`) come as the
// `reason` of a `connecting -> disconnected` change, which an `'update'` listener never hears: the
// documented listener misses "cannot connect" and "token refresh failed".
//
// Each example the docs list is read from the docs and run against the local service; the test
// holds once the lists name only what really arrives as an update.
import { readFileSync } from 'node:fs';
import { createFakeClock, createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { afterEach, describe, expect, it } from 'vitest';
import { Realtime, type PulseError } from '../src/index.js';
import { waitFor } from './int-helpers.js';

const text = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8').replace(/\s+/g, ' ');
const DOCS = { 'packages/client/README.md': text('../README.md'), 'docs/migrating.md': text('../../../docs/migrating.md') };

/** The examples a page lists for errors that "leave the state as it is" and come as `'update'`. */
function documentedUpdates(page: string): string[] {
  const match = /[Ee]rrors? that leaves? the state as it is \(([^)]*)\) comes? as (?:Ably's )?(?:an )?`'update'`/.exec(page);
  expect(match, 'the page lists the errors that come as update').not.toBeNull();
  return match![1]!.split(/, /).map((example) => example.trim());
}

interface Seen {
  update: boolean;
  change?: string;
}

const services: PulseService[] = [];
const clients: Realtime[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(services.splice(0).map((service) => service.close()));
});

/** Where the first error with `code` reaches a Realtime: as an `'update'`, or as the reason of which change. */
function watch(realtime: Realtime, code: (error: PulseError) => boolean): Promise<Seen> {
  return waitFor<Seen>('the error', (done) => {
    const listener = (change: { current: string; previous: string; reason?: PulseError }) => {
      if (change.reason && code(change.reason)) done(change.current === change.previous ? { update: true } : { update: false, change: `${change.previous} -> ${change.current}` });
    };
    realtime.connection.on(listener);
    return () => realtime.connection.off(listener);
  });
}

const SCENARIOS: Record<string, () => Promise<Seen>> = {
  async 'a service error frame'() {
    const service = await createPulseService({ maxSubscriptionsPerConnection: 1 });
    services.push(service);
    const realtime = new Realtime({ kbId: service.kbId, token: await service.createToken('u1'), endpoint: service.wsUrl });
    clients.push(realtime);
    const seen = watch(realtime, (error) => error.code === 'limit_exceeded');
    realtime.channels.get('one').subscribe(() => {});
    realtime.channels.get('two').subscribe(() => {}); // over the limit: an `error` frame
    return seen;
  },

  async 'a failed token refresh'() {
    const clock = createFakeClock();
    const service = await createPulseService({ clock });
    services.push(service);
    let calls = 0;
    const realtime = new Realtime({
      kbId: service.kbId,
      token: await service.createToken('u1', { expiresIn: 3600 }),
      endpoint: service.wsUrl,
      clock,
      random: () => 0,
      heartbeatIntervalMs: 24 * 3600 * 1000,
      authCallback: () => (++calls === 1 ? Promise.reject(new Error('token route down')) : service.createToken('u1')),
    });
    clients.push(realtime);
    await realtime.connection.once('connected');
    const seen = watch(realtime, (error) => /token refresh failed/.test(error.message));
    clock.advance(3600 * 1000); // the token expires (4001): the client asks authCallback, which fails
    return seen;
  },

  async 'a failed attempt while reconnecting'() {
    const service = await createPulseService();
    services.push(service);
    const realtime = new Realtime({ kbId: service.kbId, token: await service.createToken('u1'), endpoint: service.wsUrl, random: () => 0 });
    clients.push(realtime);
    await realtime.connection.once('connected');
    const seen = watch(realtime, (error) => error.code === 'network_error');
    await service.stop(); // the next attempt, a second later, finds nothing listening
    return seen;
  },
};

describe.each(Object.keys(DOCS))('%s: errors documented as Realtime `update` events', (page) => {
  it('arrive as `update` events (current === previous), each of them', async () => {
    const examples = documentedUpdates(DOCS[page as keyof typeof DOCS]);
    expect(examples.length).toBeGreaterThan(0);
    const seen: Record<string, Seen> = {};
    for (const example of examples) {
      const scenario = SCENARIOS[example];
      expect(scenario, `no scenario for the documented example "${example}"`).toBeDefined();
      seen[example] = await scenario!();
    }
    expect(seen).toEqual(Object.fromEntries(examples.map((example) => [example, { update: true }])));
  });
});
