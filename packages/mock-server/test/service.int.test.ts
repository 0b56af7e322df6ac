import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect } from './helpers.js';

let service: PulseService;

beforeEach(async () => {
  service = await createPulseService();
});

afterEach(async () => {
  closeAllClients();
  await service.close();
});

describe('local service: channels', () => {
  it('answers ping with pong', async () => {
    const client = await connect(service, 'alice');
    client.send({ action: 'ping' });
    const pong = await client.nextType('pong');
    expect(typeof pong.timestamp).toBe('number');
  });

  it('fans a WebSocket publish out to every subscriber, the sender included', async () => {
    const alice = await connect(service, 'alice', { channel: 'chat' });
    const bob = await connect(service, 'bob');
    bob.send({ action: 'subscribe', channel: 'chat' });
    await bob.sync();
    alice.send({ action: 'publish', channel: 'chat', event: 'new_message', data: { text: 'hi' } });
    for (const client of [alice, bob]) {
      const frame = await client.nextType('message');
      expect(frame).toMatchObject({ type: 'message', channel: 'chat', data: { type: 'new_message', text: 'hi' } });
      expect(typeof frame.timestamp).toBe('number');
    }
  });

  it('publishes over HTTP', async () => {
    const bob = await connect(service, 'bob', { channel: 'news' });
    const { status, body } = await api(service, { action: 'pulsePublish', channel: 'news', event: 'post', data: { id: 1 } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ delivered: 1 });
    expect(await bob.nextType('message')).toMatchObject({ channel: 'news', data: { type: 'post', id: 1 } });
  });
});
