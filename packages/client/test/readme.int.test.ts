// The README's examples, run against the local service, so the npm page does not drift from the code.
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Pulse, { Realtime, type RealtimeMember, type RealtimeMessage } from '../src/index.js';
import { waitFor } from './int-helpers.js';

let service: PulseService;
beforeAll(async () => void (service = await createPulseService()));
afterAll(() => service.close());

describe('README examples', () => {
  it('testing section: a Pulse client publishes and receives its own message', async () => {
    const pulse = new Pulse({ kbId: service.kbId, token: await service.createToken('alice'), endpoint: service.wsUrl });
    try {
      const got = waitFor<object>('message', (done) => pulse.channel('chat').subscribe('message', done));
      await pulse.channel('chat').publish('message', { text: 'hi' });
      expect(await got).toEqual({ type: 'message', text: 'hi' });
    } finally {
      pulse.disconnect();
    }
  });

  it('Realtime quick start and presence: message shape and presence.get()', async () => {
    const realtime = new Realtime({ kbId: service.kbId, token: await service.createToken('bob'), endpoint: service.wsUrl, clientId: 'bob' });
    try {
      const posts = realtime.channels.get<{ new_post: { post: { id: number } } }>('posts');
      const got = waitFor<RealtimeMessage<{ post: { id: number } }>>('new_post', (done) => {
        posts.subscribe('new_post', done);
        return () => posts.unsubscribe('new_post');
      });
      await posts.presence.enter({ name: 'bob' });
      const members: RealtimeMember[] = await posts.presence.get();
      expect(members).toEqual([expect.objectContaining({ clientId: 'bob', data: { name: 'bob' } })]);
      await posts.publish('new_post', { post: { id: 1 } });
      expect(await got).toMatchObject({ name: 'new_post', channel: 'posts', data: { type: 'new_post', post: { id: 1 } } });
    } finally {
      realtime.close();
    }
  });
});
