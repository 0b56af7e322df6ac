import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { checkUpgrade, createTokenAuthority, secretKey } from '../src/auth.js';
import { createFakeClock } from '../src/index.js';

const subject = { kbId: 'kb1', userId: 'alice', region: 'us-east-1' as const, endpoint: 'ws://127.0.0.1:1' };
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function setup() {
  const clock = createFakeClock();
  const key = secretKey('test-secret');
  return { clock, key, authority: createTokenAuthority(key, clock) };
}

describe('token authority', () => {
  it('mints HS256 tokens carrying kbId, userId, region, endpoint, iat and exp', async () => {
    const { clock, authority } = setup();
    const token = await authority.sign(subject, 3600);
    const [header] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const result = await authority.verify(token);
    expect(result).toEqual({
      ok: true,
      claims: { ...subject, iat: clock.now() / 1000, exp: clock.now() / 1000 + 3600 },
    });
  });

  it('reports token_expired once the clock passes exp', async () => {
    const { clock, authority } = setup();
    const token = await authority.sign(subject, 60);
    clock.advance(59_000);
    expect((await authority.verify(token)).ok).toBe(true);
    clock.advance(1_000);
    expect(await authority.verify(token)).toMatchObject({ ok: false, code: 'token_expired' });
  });

  it('mints an already expired token for a ttl of zero', async () => {
    const { authority } = setup();
    expect(await authority.verify(await authority.sign(subject, 0))).toMatchObject({ ok: false, code: 'token_expired' });
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not-a-jwt'],
    ['three garbage parts', 'a.b.c'],
  ])('rejects a %s token as invalid_token', async (_name, token) => {
    const { authority } = setup();
    expect(await authority.verify(token)).toMatchObject({ ok: false, code: 'invalid_token' });
  });

  it('rejects alg none', async () => {
    const { clock, authority } = setup();
    const exp = clock.now() / 1000 + 3600;
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...subject, exp })}.`;
    expect(await authority.verify(token)).toMatchObject({ ok: false, code: 'invalid_token' });
  });

  it('rejects a forged payload under a genuine signature', async () => {
    const { authority } = setup();
    const [header, , signature] = (await authority.sign(subject, 3600)).split('.');
    const forged = `${header}.${b64({ ...subject, kbId: 'other', exp: 9_999_999_999 })}.${signature}`;
    expect(await authority.verify(forged)).toMatchObject({ ok: false, code: 'invalid_token' });
  });

  it('rejects a token signed with another key, and one signed with another algorithm', async () => {
    const { clock, authority } = setup();
    const other = createTokenAuthority(secretKey('another-secret'), clock);
    expect(await authority.verify(await other.sign(subject, 3600))).toMatchObject({ ok: false, code: 'invalid_token' });
    const hs512 = await new SignJWT({ ...subject })
      .setProtectedHeader({ alg: 'HS512' })
      .setExpirationTime(clock.now() / 1000 + 3600)
      .sign(new Uint8Array(64).fill(1));
    expect(await authority.verify(hs512)).toMatchObject({ ok: false, code: 'invalid_token' });
  });

  it('rejects a genuine token lacking the Pulse claims', async () => {
    const { clock, key, authority } = setup();
    const token = await new SignJWT({ userId: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(clock.now() / 1000 + 3600)
      .sign(key);
    expect(await authority.verify(token)).toMatchObject({ ok: false, code: 'invalid_token' });
  });

  it('uses a random key per authority when no secret is given', () => {
    expect(Buffer.from(secretKey(undefined)).equals(Buffer.from(secretKey(undefined)))).toBe(false);
    expect(secretKey(undefined)).toHaveLength(32);
  });
});

describe('checkUpgrade', () => {
  const enabled = { isEnabled: (kbId: string) => kbId === 'kb1' };

  it('grants a valid token and returns the channel to subscribe to', async () => {
    const { authority } = setup();
    const token = await authority.sign(subject, 60);
    const grant = await checkUpgrade(`/?kbId=kb1&token=${token}&channel=chat`, authority, enabled);
    expect(grant).toMatchObject({ ok: true, channel: 'chat', claims: { kbId: 'kb1', userId: 'alice' } });
  });

  it('checks the token first (401), then the kb (403 kb_mismatch), then the switch (403 pulse_not_enabled)', async () => {
    const { authority } = setup();
    expect(await checkUpgrade('/?kbId=kb1', authority, enabled)).toMatchObject({ ok: false, status: 401, code: 'invalid_token' });
    const token = await authority.sign(subject, 60);
    expect(await checkUpgrade(`/?kbId=kb2&token=${token}`, authority, enabled)).toMatchObject({
      ok: false,
      status: 403,
      code: 'kb_mismatch',
    });
    const off = { isEnabled: () => false };
    expect(await checkUpgrade(`/?kbId=kb1&token=${token}`, authority, off)).toMatchObject({
      ok: false,
      status: 403,
      code: 'pulse_not_enabled',
    });
  });

  it('refuses an invalid channel name with 400 invalid_message', async () => {
    const { authority } = setup();
    const token = await authority.sign(subject, 60);
    expect(await checkUpgrade(`/?kbId=kb1&token=${token}&channel=${'x'.repeat(300)}`, authority, enabled)).toMatchObject({
      ok: false,
      status: 400,
      code: 'invalid_message',
    });
  });
});
