import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { buildConnectUrl, decodeTokenClaims } from '@openkbs-pulse/protocol';
import { createFakeClock, createPulseService, type FakeClock, type PulseService } from '../src/index.js';
import { closeAllClients, connect, openClient, upgradeRefusal } from './helpers.js';

let service: PulseService;
let clock: FakeClock;

beforeEach(async () => {
  clock = createFakeClock();
  service = await createPulseService({ clock, secret: 'service-secret' });
  service.addTenant('kb-b', 'key-b');
});

afterEach(async () => {
  closeAllClients();
  await service.close();
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const url = (token: string, kbId = service.kbId) => buildConnectUrl(service.wsUrl, { kbId, token });

describe('WebSocket upgrade auth', () => {
  it('accepts a token minted by the service and exposes its claims', async () => {
    const token = await service.createToken('alice');
    expect(decodeTokenClaims(token)).toMatchObject({ kbId: service.kbId, userId: 'alice', region: 'us-east-1', endpoint: service.wsUrl });
    await openClient(url(token));
    expect(service.connections()).toMatchObject([{ userId: 'alice', kbId: service.kbId }]);
  });

  const invalid: [string, () => Promise<string>][] = [
    ['missing', async () => ''],
    ['garbage', async () => 'garbage'],
    [
      'forged (payload edited)',
      async () => {
        const [header, , signature] = (await service.createToken('alice')).split('.');
        return `${header}.${b64({ kbId: service.kbId, userId: 'admin', exp: 9_999_999_999 })}.${signature}`;
      },
    ],
    [
      'alg none',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ kbId: service.kbId, userId: 'alice', exp: 9_999_999_999 })}.`,
    ],
    [
      'signed with the wrong secret',
      async () =>
        new SignJWT({ kbId: service.kbId, userId: 'alice' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime(9_999_999_999)
          .sign(new TextEncoder().encode('wrong-secret')),
    ],
  ];

  it.each(invalid)('refuses a %s token with 401 invalid_token and a JSON body', async (_name, makeToken) => {
    const token = await makeToken();
    const target = token ? url(token) : `${service.wsUrl}/?kbId=${service.kbId}`;
    const { status, body } = await upgradeRefusal(target);
    expect(status).toBe(401);
    expect(body).toEqual({ error: expect.any(String), code: 'invalid_token' });
    expect(service.connections()).toEqual([]);
  });

  it('refuses an expired token with 401 token_expired', async () => {
    const token = await service.createToken('alice', { expiresIn: 60 });
    clock.advance(60_000);
    expect(await upgradeRefusal(url(token))).toEqual({ status: 401, body: { error: expect.any(String), code: 'token_expired' } });
    expect(await upgradeRefusal(url(await service.createToken('bob', { expiresIn: 0 })))).toMatchObject({
      body: { code: 'token_expired' },
    });
  });

  it('refuses a token of another kb with 403 kb_mismatch', async () => {
    const token = await service.createToken('alice', { kbId: 'kb-b' });
    expect(await upgradeRefusal(url(token, service.kbId))).toEqual({ status: 403, body: { error: expect.any(String), code: 'kb_mismatch' } });
  });

  it('refuses connections while Pulse is disabled with 403 pulse_not_enabled, and accepts them again once enabled', async () => {
    const token = await service.createToken('alice');
    service.setEnabled(service.kbId, false);
    expect(await upgradeRefusal(url(token))).toEqual({ status: 403, body: { error: expect.any(String), code: 'pulse_not_enabled' } });
    service.setEnabled(service.kbId, true);
    await openClient(url(token));
  });

  it('refuses an invalid channel query parameter with 400 invalid_message', async () => {
    const token = await service.createToken('alice');
    const target = buildConnectUrl(service.wsUrl, { kbId: service.kbId, token, channel: 'a\u0001b' });
    expect(await upgradeRefusal(target)).toMatchObject({ status: 400, body: { code: 'invalid_message' } });
  });
});

describe('tenant isolation', () => {
  it('keeps messages, presence and channel lists apart between two kbIds', async () => {
    const a = await connect(service, 'alice', { channel: 'chat' });
    const b = await connect(service, 'bob', { channel: 'chat', kbId: 'kb-b' });
    a.send({ action: 'presence_enter', channel: 'chat', data: { kb: 'a' } });
    a.send({ action: 'publish', channel: 'chat', event: 'hello', data: { from: 'a' } });
    await a.nextType('message');
    await b.sync();
    expect(b.frames.filter((f) => f.type !== 'pong')).toEqual([]);

    b.send({ action: 'presence', channel: 'chat' });
    expect(await b.nextType('presence')).toMatchObject({ action: 'sync', count: 0, members: [] });

    const response = await fetch(service.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'pulseChannels', kbId: 'kb-b', apiKey: 'key-b' }),
    });
    expect(await response.json()).toEqual({ channels: [{ channel: 'chat', subscribers: 1, presence: 0 }] });

    const published = await fetch(service.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'pulsePublish', kbId: 'kb-b', apiKey: 'key-b', channel: 'chat', event: 'only-b', data: {} }),
    });
    expect(await published.json()).toMatchObject({ delivered: 1 });
    expect(await b.nextType('message')).toMatchObject({ data: { type: 'only-b' } });
    await a.sync();
    expect(a.frames.filter((f) => f.type === 'message')).toHaveLength(1);

    const stats = service.stats();
    expect(stats.kbs[service.kbId]).toMatchObject({ connections: 1, presenceMembers: 1, published: 1, delivered: 1 });
    expect(stats.kbs['kb-b']).toMatchObject({ connections: 1, presenceMembers: 0, published: 1, delivered: 1 });
  });

  it('refuses the API key of one kb for another', async () => {
    const response = await fetch(service.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'pulseStatus', kbId: service.kbId, apiKey: 'key-b' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'invalid_api_key' });
  });
});
