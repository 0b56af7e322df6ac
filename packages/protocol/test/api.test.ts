import { describe, expect, it } from 'vitest';
import { API_ACTIONS, decodeTokenClaims, parseApiError, parseApiResponse } from '@openkbs-pulse/protocol';

const jwt = (claims: object) =>
  ['{"alg":"HS256"}', JSON.stringify(claims)].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.sig';

describe('API action table', () => {
  it('names the documented actions', () => {
    expect(API_ACTIONS.createToken).toBe('createPulseToken');
    expect(API_ACTIONS.enable).toBe('enableElasticPulse');
    expect(new Set(Object.values(API_ACTIONS)).size).toBe(Object.values(API_ACTIONS).length);
  });
});

describe('parseApiResponse', () => {
  it('accepts a full token answer', () => {
    const body = { token: jwt({ kbId: 'kb' }), endpoint: 'wss://pulse.vpc1.eu', region: 'eu-central-1', expiresIn: 86400 };
    expect(parseApiResponse('createPulseToken', body)).toEqual({ ok: true, value: body });
  });

  it('derives region from the endpoint and expiresIn from the token when the service omits them', () => {
    const exp = Math.round(Date.now() / 1000) + 3600;
    const result = parseApiResponse('createPulseToken', { token: jwt({ exp }), endpoint: 'wss://pulse.vpc1.eu' });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.region).toBe('eu-central-1');
      expect(Math.abs(result.value.expiresIn - 3600)).toBeLessThanOrEqual(2);
    }
  });

  it('rejects wrong shapes as invalid_response', () => {
    const bad: Array<[Parameters<typeof parseApiResponse>[0], unknown]> = [
      ['createPulseToken', { endpoint: 'wss://x' }],
      ['createPulseToken', { token: 'not-a-jwt', endpoint: 'wss://x' }],
      ['createPulseToken', { token: jwt({}), endpoint: 'wss://x', region: 'mars', expiresIn: 1 }],
      ['pulsePublish', { delivered: '3', timestamp: 1 }],
      ['pulsePresence', { count: 1, members: [{ userId: 'u' }] }],
      ['pulsePresence', { count: 'many', members: [] }],
      ['pulseStatus', { enabled: 'yes' }],
      ['pulseChannels', { channels: [{ channel: 'c' }] }],
      ['enableElasticPulse', { enabled: true, region: 'us-east-1' }],
      ['pulsePublish', null],
      ['pulsePublish', []],
    ];
    for (const [action, body] of bad) {
      const result = parseApiResponse(action, body);
      expect(result.ok, `${action} ${JSON.stringify(body)}`).toBe(false);
      if (!result.ok) expect(result.code).toBe('invalid_response');
    }
  });

  it('accepts presence, publish, status, channels and enable answers', () => {
    expect(parseApiResponse('pulsePresence', { count: 150, members: [{ userId: 'u', connectionId: 'c', connectedAt: 1 }] }).ok).toBe(true);
    expect(parseApiResponse('pulsePublish', { delivered: 2, timestamp: 1 }).ok).toBe(true);
    expect(
      parseApiResponse('pulseStatus', { enabled: true, region: 'us-east-1', endpoint: 'ws://x', connections: 1, channels: 2 }).ok,
    ).toBe(true);
    expect(parseApiResponse('pulseChannels', { channels: [{ channel: 'c', subscribers: 1, presence: 0 }] }).ok).toBe(true);
    expect(parseApiResponse('disableElasticPulse', { enabled: false, region: 'us-east-1', endpoint: 'ws://x' }).ok).toBe(true);
  });
});

describe('parseApiError', () => {
  it('reads { error, code } and ignores unknown codes', () => {
    expect(parseApiError({ error: 'Invalid API key', code: 'invalid_api_key' })).toEqual({ error: 'Invalid API key', code: 'invalid_api_key' });
    expect(parseApiError({ error: 'x', code: 'nope' })).toEqual({ error: 'x' });
    expect(parseApiError({ ok: true })).toBeUndefined();
    expect(parseApiError('error')).toBeUndefined();
  });
});

describe('decodeTokenClaims', () => {
  it('reads claims without verifying, including non-ASCII', () => {
    expect(decodeTokenClaims(jwt({ kbId: 'k', userId: 'ünï', exp: 5 }))).toEqual({ kbId: 'k', userId: 'ünï', exp: 5 });
  });
  it('returns undefined for garbage', () => {
    for (const token of ['', 'abc', 'a.%%%.c', jwt([1] as unknown as object), 'a..c']) expect(decodeTokenClaims(token)).toBeUndefined();
  });

  it('returns undefined for a value that is not a string, without throwing', () => {
    for (const token of [undefined, null, 42, {}, ['a.b.c'], { split: () => ['a', 'b'] }]) {
      expect(() => decodeTokenClaims(token)).not.toThrow();
      expect(decodeTokenClaims(token)).toBeUndefined();
    }
  });
});
