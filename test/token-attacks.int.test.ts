// Token attacks on the WebSocket upgrade of the local service: each is refused with the
// documented HTTP status and a JSON { error, code } body whose code matches it.
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { ERROR_STATUS, buildConnectUrl, type ErrorCode } from '@openkbs-pulse/protocol';
import { tryUpgrade } from '../test-helpers/raw-socket.js';

const SECRET = 'token-attack-test-secret';
let service: PulseService;
let other: PulseService | undefined;

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Signs an HS256 JWT with any header and payload, as an attacker who knows (or not) the key would. */
function sign(header: object, payload: object, key: string = SECRET): string {
  const head = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { kbId: service.kbId, userId: 'mallory', sub: 'mallory', region: 'us-east-1', endpoint: service.wsUrl, iat: now, exp: now + 600, ...overrides };
}

function url(params: { kbId?: string; token?: string; channel?: string }): string {
  const target = new URL(service.wsUrl);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(key, value);
  return target.toString();
}

async function expectRefused(target: string, status: number, code?: ErrorCode): Promise<void> {
  const outcome = await tryUpgrade(target);
  expect(outcome.opened).toBe(false);
  if (outcome.opened) return;
  expect(outcome.status).toBe(status);
  if (code) {
    expect(outcome.body).toMatchObject({ code });
    expect(typeof outcome.body?.error).toBe('string');
    expect(ERROR_STATUS[code]).toBe(status);
  }
  expect(service.connections()).toHaveLength(0);
}

beforeEach(async () => {
  service = await createPulseService({ secret: SECRET });
});

afterEach(async () => {
  await service.close();
  await other?.close();
  other = undefined;
});

describe('token attacks on the WebSocket upgrade', () => {
  it('accepts a genuine token (control)', async () => {
    const token = await service.createToken('alice');
    expect(await tryUpgrade(buildConnectUrl(service.wsUrl, { kbId: service.kbId, token }))).toEqual({ opened: true });
    // Our own signer produces tokens the service accepts, so the attacks below differ only in the attack.
    expect(await tryUpgrade(url({ kbId: service.kbId, token: sign({ alg: 'HS256', typ: 'JWT' }, claims()) }))).toEqual({ opened: true });
  });

  it('refuses a forged signature (401 invalid_token)', async () => {
    await expectRefused(url({ kbId: service.kbId, token: sign({ alg: 'HS256', typ: 'JWT' }, claims(), 'guessed-secret') }), 401, 'invalid_token');
    // A token from another service (another key) for the same kbId.
    other = await createPulseService({ kbId: service.kbId });
    await expectRefused(url({ kbId: service.kbId, token: await other.createToken('mallory') }), 401, 'invalid_token');
    // A genuine token with its payload swapped (signature no longer matches).
    const [head, , signature] = (await service.createToken('alice')).split('.');
    const tampered = `${head}.${b64url(JSON.stringify(claims({ userId: 'admin', sub: 'admin' })))}.${signature}`;
    await expectRefused(url({ kbId: service.kbId, token: tampered }), 401, 'invalid_token');
  });

  it('refuses alg "none" and other algorithms (401 invalid_token)', async () => {
    const unsigned = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims()))}.`;
    await expectRefused(url({ kbId: service.kbId, token: unsigned }), 401, 'invalid_token');
    const noneWithSig = `${unsigned}${b64url('x')}`;
    await expectRefused(url({ kbId: service.kbId, token: noneWithSig }), 401, 'invalid_token');
    // An HS512 token with the right key: the service only takes HS256.
    const head = `${b64url(JSON.stringify({ alg: 'HS512', typ: 'JWT' }))}.${b64url(JSON.stringify(claims()))}`;
    const hs512 = `${head}.${createHmac('sha512', SECRET).update(head).digest('base64url')}`;
    await expectRefused(url({ kbId: service.kbId, token: hs512 }), 401, 'invalid_token');
  });

  it('refuses an expired token (401 token_expired)', async () => {
    await expectRefused(url({ kbId: service.kbId, token: await service.createToken('alice', { expiresIn: -60 }) }), 401, 'token_expired');
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectRefused(url({ kbId: service.kbId, token: sign({ alg: 'HS256', typ: 'JWT' }, claims({ iat: past - 60, exp: past })) }), 401, 'token_expired');
  });

  it('refuses tokens that lack required claims (401 invalid_token)', async () => {
    const noExp = claims();
    delete noExp.exp;
    await expectRefused(url({ kbId: service.kbId, token: sign({ alg: 'HS256', typ: 'JWT' }, noExp) }), 401, 'invalid_token');
    const noUser = claims();
    delete noUser.userId;
    await expectRefused(url({ kbId: service.kbId, token: sign({ alg: 'HS256', typ: 'JWT' }, noUser) }), 401, 'invalid_token');
  });

  it('refuses a token used with the wrong kbId (403 kb_mismatch)', async () => {
    const token = await service.createToken('alice');
    await expectRefused(url({ kbId: 'someone-elses-kb', token }), 403, 'kb_mismatch');
  });

  it('refuses token reuse across kbIds of the same service (403 kb_mismatch)', async () => {
    service.addTenant('kb-two', 'key-two');
    const forTwo = await service.createToken('alice', { kbId: 'kb-two' });
    const forOne = await service.createToken('alice');
    expect(await tryUpgrade(url({ kbId: 'kb-two', token: forTwo }))).toEqual({ opened: true });
    await expectRefused(url({ kbId: service.kbId, token: forTwo }), 403, 'kb_mismatch');
    await expectRefused(url({ kbId: 'kb-two', token: forOne }), 403, 'kb_mismatch');
    // And a kb with Pulse turned off (403 pulse_not_enabled).
    service.setEnabled('kb-two', false);
    await expectRefused(url({ kbId: 'kb-two', token: forTwo }), 403, 'pulse_not_enabled');
  });

  it('refuses oversized tokens without harm', async () => {
    // Big but within HTTP header limits: a malformed token.
    await expectRefused(url({ kbId: service.kbId, token: 'a'.repeat(8 * 1024) }), 401, 'invalid_token');
    // Beyond the HTTP header limit, the request itself is refused (or the socket closed).
    const huge = `${'b'.repeat(64 * 1024)}.${'c'.repeat(64 * 1024)}.d`;
    const outcome = await tryUpgrade(url({ kbId: service.kbId, token: huge })).catch((error: Error) => ({ opened: false as const, error }));
    expect(outcome.opened).toBe(false);
    if ('status' in outcome) expect([401, 413, 414, 431]).toContain(outcome.status);
    // The service is unharmed.
    expect(await tryUpgrade(url({ kbId: service.kbId, token: await service.createToken('alice') }))).toEqual({ opened: true });
  });

  it('refuses missing query parameters with the right status', async () => {
    const token = await service.createToken('alice');
    await expectRefused(url({ kbId: service.kbId }), 401, 'invalid_token');
    await expectRefused(url({}), 401, 'invalid_token');
    await expectRefused(url({ kbId: service.kbId, token: '' }), 401, 'invalid_token');
    await expectRefused(url({ kbId: service.kbId, token: 'not.a.jwt' }), 401, 'invalid_token');
    await expectRefused(url({ kbId: service.kbId, token, channel: '' }), 400, 'invalid_message');
  });

  it('refuses a missing kbId (400 invalid_message), even with a valid token', async () => {
    const token = await service.createToken('alice');
    const outcome = await tryUpgrade(url({ token }));
    expect(outcome.opened).toBe(false);
    await expectRefused(url({ token }), 400, 'invalid_message');
    await expectRefused(url({ kbId: '', token }), 400, 'invalid_message');
  });
});
