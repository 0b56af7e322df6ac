import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  API_ACTIONS,
  MAX_MESSAGE_BYTES,
  buildConnectUrl,
  decodeTokenClaims,
  messageFrameBytes,
  parseApiResponse,
} from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect, openClient } from './helpers.js';

let service: PulseService;

beforeEach(async () => {
  service = await createPulseService({ kbId: 'kb-http', apiKey: 'secret-key', region: 'eu-central-1' });
});

afterEach(async () => {
  closeAllClients();
  await service.close();
});

describe('HTTP API', () => {
  it('mints tokens with createPulseToken that open a connection', async () => {
    const { status, body } = await api(service, { action: 'createPulseToken', userId: 'alice', expiresIn: 600 });
    expect(status).toBe(200);
    const parsed = parseApiResponse('createPulseToken', body);
    expect(parsed).toEqual({ ok: true, value: { token: expect.any(String), endpoint: service.wsUrl, region: 'eu-central-1', expiresIn: 600 } });
    const token = (body as { token: string }).token;
    const claims = decodeTokenClaims(token)!;
    expect(claims).toMatchObject({ kbId: 'kb-http', userId: 'alice', region: 'eu-central-1', endpoint: service.wsUrl });
    expect(claims.exp! - claims.iat!).toBe(600);
    await openClient(buildConnectUrl(service.wsUrl, { kbId: 'kb-http', token }));
    expect(service.connections()).toHaveLength(1);
  });

  it('defaults the token lifetime to 24 h', async () => {
    const { body } = await api<{ expiresIn: number }>(service, { action: 'createPulseToken', userId: 'alice' });
    expect(body.expiresIn).toBe(86_400);
  });

  it('answers every action with the shape the protocol parser accepts', async () => {
    await connect(service, 'alice', { channel: 'chat' });
    for (const [action, extra] of [
      [API_ACTIONS.publish, { channel: 'chat', event: 'e', data: { a: 1 } }],
      [API_ACTIONS.presence, { channel: 'chat' }],
      [API_ACTIONS.status, {}],
      [API_ACTIONS.channels, {}],
      [API_ACTIONS.enable, { region: 'us-east-1' }],
      [API_ACTIONS.disable, {}],
    ] as const) {
      const { status, body } = await api(service, { action, ...extra });
      expect(status, action).toBe(200);
      expect(parseApiResponse(action, body).ok, action).toBe(true);
    }
  });

  it('reports status and channels', async () => {
    const alice = await connect(service, 'alice', { channel: 'chat' });
    alice.send({ action: 'presence_enter', channel: 'lobby' });
    await alice.sync();
    expect((await api(service, { action: 'pulseStatus' })).body).toEqual({
      enabled: true,
      region: 'eu-central-1',
      endpoint: service.wsUrl,
      connections: 1,
      channels: 2,
    });
    expect((await api(service, { action: 'pulseChannels' })).body).toEqual({
      channels: [
        { channel: 'chat', subscribers: 1, presence: 0 },
        { channel: 'lobby', subscribers: 0, presence: 1 },
      ],
    });
  });

  it('disables and enables Pulse (publish and tokens refused with 403 while disabled)', async () => {
    expect((await api(service, { action: 'disableElasticPulse' })).body).toEqual({
      enabled: false,
      region: 'eu-central-1',
      endpoint: service.wsUrl,
    });
    expect(await api(service, { action: 'pulsePublish', channel: 'c', event: 'e' })).toEqual({
      status: 403,
      body: { error: expect.any(String), code: 'pulse_not_enabled' },
    });
    expect((await api(service, { action: 'createPulseToken', userId: 'a' })).status).toBe(403);
    expect((await api(service, { action: 'enableElasticPulse', region: 'us-east-1' })).body).toMatchObject({
      enabled: true,
      region: 'us-east-1',
    });
    expect((await api(service, { action: 'pulsePublish', channel: 'c', event: 'e' })).body).toMatchObject({ delivered: 0 });
  });

  it.each([
    ['a wrong apiKey', { action: 'pulseStatus', apiKey: 'wrong' }],
    ['a missing apiKey', { action: 'pulseStatus', apiKey: undefined }],
    ['an unknown kbId', { action: 'pulseStatus', kbId: 'nope' }],
  ])('answers %s with 401 invalid_api_key', async (_name, body) => {
    expect(await api(service, body)).toEqual({ status: 401, body: { error: expect.any(String), code: 'invalid_api_key' } });
  });

  it.each([
    ['an unknown action', { action: 'dropDatabase' }],
    ['a missing userId', { action: 'createPulseToken' }],
    ['a negative expiresIn', { action: 'createPulseToken', userId: 'a', expiresIn: -5 }],
    ['a missing channel', { action: 'pulsePublish', event: 'e' }],
    ['a bad event', { action: 'pulsePublish', channel: 'c', event: '' }],
    ['array data', { action: 'pulsePublish', channel: 'c', event: 'e', data: [1] }],
    ['a bad region', { action: 'enableElasticPulse', region: 'mars-1' }],
  ])('answers %s with 400 invalid_message', async (_name, body) => {
    expect(await api(service, body)).toEqual({ status: 400, body: { error: expect.any(String), code: 'invalid_message' } });
  });

  it('answers a body that is not JSON with 400', async () => {
    const response = await fetch(service.apiUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_message' });
  });

  it('answers a publish whose delivered message frame is over 32 KB with 413 message_too_large', async () => {
    const alice = await connect(service, 'alice', { channel: 'chat' });
    const raw: number[] = [];
    alice.ws.on('message', (data: Buffer) => raw.push(data.length));
    // The limit is on the frame subscribers receive ({type, channel, data + type, timestamp}), not the data alone.
    const envelope = messageFrameBytes('chat', 'e', { pad: '' });
    const exact = { pad: 'x'.repeat(MAX_MESSAGE_BYTES - envelope) };
    expect(messageFrameBytes('chat', 'e', exact)).toBe(MAX_MESSAGE_BYTES);
    expect(await api(service, { action: 'pulsePublish', channel: 'chat', event: 'e', data: exact })).toMatchObject({
      status: 200,
      body: { delivered: 1 },
    });
    await alice.nextType('message');
    expect(raw).toEqual([MAX_MESSAGE_BYTES]);

    // One byte over: the data with its type is well under 32 KB, the frame is not.
    const over = { pad: 'x'.repeat(MAX_MESSAGE_BYTES - envelope + 1) };
    expect(JSON.stringify({ ...over, type: 'e' }).length).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(await api(service, { action: 'pulsePublish', channel: 'chat', event: 'e', data: over })).toEqual({
      status: 413,
      body: { error: expect.stringContaining(String(MAX_MESSAGE_BYTES)), code: 'message_too_large' },
    });
    await alice.sync();
    expect(alice.pending()).toEqual([]);
    expect(service.stats().published).toBe(1);
  });

  it('serves GET /stats, equal to service.stats()', async () => {
    const alice = await connect(service, 'alice', { channel: 'chat' });
    alice.send({ action: 'publish', channel: 'chat', event: 'e', data: {} });
    await alice.nextType('message');
    const response = await fetch(`${service.apiUrl}/stats`);
    const stats = await response.json();
    expect(stats).toEqual(service.stats());
    expect(stats).toMatchObject({
      answering: true,
      connections: 1,
      channels: 1,
      published: 1,
      delivered: 1,
      kbs: { 'kb-http': { connections: 1, channels: 1, subscriptions: 1, presenceMembers: 0, published: 1, delivered: 1 } },
    });
  });

  it('answers other paths with 404 and GET / with 405', async () => {
    expect((await fetch(`${service.apiUrl}/nope`)).status).toBe(404);
    expect((await fetch(service.apiUrl)).status).toBe(405);
  });
});
