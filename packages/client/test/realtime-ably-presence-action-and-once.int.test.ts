// An outside review found: Realtime presence events carried no `action` (an array listener could not tell enter from leave), and connection.once(state) without a callback threw where Ably's returns a promise.
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Realtime } from '../src/index.js';
import { waitFor } from './int-helpers.js';

let service: PulseService;
beforeAll(async () => void (service = await createPulseService()));
afterAll(() => service.close());

const realtimeFor = async (user: string) =>
  new Realtime({ kbId: service.kbId, token: await service.createToken(user), endpoint: service.wsUrl, clientId: user });

describe('Pulse.Realtime vs Ably shapes', () => {
  it('presence.subscribe([\'enter\', \'leave\'], cb) ("an array of them (as in Ably)"): the callback can tell which action it got', async () => {
    const alice = await realtimeFor('alice');
    const bob = await realtimeFor('bob');
    try {
      const seen: unknown[] = [];
      const channel = alice.channels.get('room');
      const left = waitFor('leave', (done) => {
        channel.presence.subscribe(['enter', 'leave'], (member) => {
          // Ably: a PresenceMessage, with `action` ('enter' | 'leave' | ...)
          seen.push((member as unknown as { action?: string }).action);
          if (seen.length === 2) done(undefined);
        });
        return () => {};
      });
      await channel.presence.get(); // synced
      await bob.channels.get('room').presence.enter({ name: 'Bob' });
      await bob.channels.get('room').presence.leave();
      await left;
      expect(seen).toEqual(['enter', 'leave']);
    } finally {
      alice.close();
      bob.close();
    }
  });

  it('connection.once(state) without a listener returns a promise, as Ably\'s does (`await realtime.connection.once(\'connected\')`)', async () => {
    const realtime = await realtimeFor('carol');
    try {
      const once = realtime.connection.once as unknown as (event: string) => Promise<{ current: string }>;
      const change = await once.call(realtime.connection, 'connected');
      expect(change.current).toBe('connected');
    } finally {
      realtime.close();
    }
  });
});
