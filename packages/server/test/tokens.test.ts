import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeToken, verifyToken } from '../src/tokens.js';

const SECRET = 'local-service-secret';
const key = new TextEncoder().encode(SECRET);
const NOW = Math.floor(Date.UTC(2024, 0, 1) / 1000);

async function mint(claims: Record<string, unknown>, exp = NOW + 3600, secret = key) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(NOW).setExpirationTime(exp).sign(secret);
}
const claims = { kbId: 'kb1', userId: 'u1', region: 'us-east-1', endpoint: 'ws://127.0.0.1:1' };
const clock = { now: () => NOW * 1000 + 1000 };

describe('decodeToken', () => {
  it('reads claims without verifying', async () => {
    const token = await mint(claims, NOW + 60, new TextEncoder().encode('another key'));
    expect(decodeToken(token)).toMatchObject({ ...claims, iat: NOW, exp: NOW + 60 });
  });
  it('rejects non-JWTs and tokens without Pulse claims', async () => {
    expect(() => decodeToken('nope')).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    expect(() => decodeToken('')).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    const token = await mint({ sub: 'x' });
    expect(() => decodeToken(token)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
  });
});

describe('verifyToken', () => {
  it('accepts a token signed with the secret (string or bytes)', async () => {
    const token = await mint(claims);
    expect(await verifyToken(token, SECRET, { clock })).toMatchObject(claims);
    expect(await verifyToken(token, key, { clock, kbId: 'kb1' })).toMatchObject(claims);
  });
  it('rejects a wrong key, an expired token, another kbId and another algorithm', async () => {
    const token = await mint(claims);
    await expect(verifyToken(token, 'wrong', { clock })).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verifyToken(await mint(claims, NOW), SECRET, { clock })).rejects.toMatchObject({ code: 'token_expired' });
    await expect(verifyToken(token, SECRET, { clock, kbId: 'kb2' })).rejects.toMatchObject({ code: 'kb_mismatch' });
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).setExpirationTime(NOW + 60).sign(new Uint8Array(64).fill(7));
    await expect(verifyToken(hs512, new Uint8Array(64).fill(7), { clock })).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(verifyToken(token, '', { clock })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
