import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, ERROR_CODES, ERROR_STATUS, PulseError, isErrorCode, isPulseError } from '@openkbs-pulse/protocol';

describe('error codes', () => {
  it('has the codes both sides share, with their statuses', () => {
    expect(ERROR_STATUS).toMatchObject({
      invalid_token: 401,
      token_expired: 401,
      forbidden: 403,
      pulse_not_enabled: 403,
      kb_mismatch: 403,
      message_too_large: 413,
      invalid_message: 400,
      rate_limited: 429,
      not_connected: 0,
    });
    expect(ERROR_CODES).toContain('not_connected');
  });

  it('recognises codes', () => {
    expect(isErrorCode('forbidden')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });

  it('uses application close codes in the 4000 range for service closes', () => {
    for (const code of [CLOSE_CODES.tokenExpired, CLOSE_CODES.connectionTtl, CLOSE_CODES.slowConsumer, CLOSE_CODES.kicked]) {
      expect(code).toBeGreaterThanOrEqual(4000);
      expect(code).toBeLessThan(5000);
    }
  });
});

describe('PulseError', () => {
  it('carries a stable code, the status it came with and a cause', () => {
    const cause = new Error('socket hang up');
    const error = new PulseError('token_expired', 'Token expired', { cause, statusCode: 401 });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PulseError');
    expect(error.code).toBe('token_expired');
    expect(error.statusCode).toBe(401);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('Token expired');
  });

  it('has a status only when one is given, never one derived from the code', () => {
    // Raised before any request (publish('') refused locally, an oversize frame): no HTTP status.
    expect(new PulseError('invalid_argument', 'x').statusCode).toBeUndefined();
    expect(new PulseError('message_too_large', 'x').statusCode).toBeUndefined();
    expect(new PulseError('token_expired', 'x').statusCode).toBeUndefined();
    expect(new PulseError('not_connected', 'x').statusCode).toBeUndefined();
    expect(new PulseError('server_error', 'x', { statusCode: 503 }).statusCode).toBe(503);
    expect(new PulseError('message_too_large', 'x', { statusCode: 413 }).statusCode).toBe(413);
  });

  it('is recognised by isPulseError, also across bundle copies', () => {
    expect(isPulseError(new PulseError('forbidden', 'no'))).toBe(true);
    const foreign = Object.assign(new Error('x'), { code: 'forbidden', statusCode: 403 });
    expect(isPulseError(foreign)).toBe(true);
    expect(isPulseError(new Error('x'))).toBe(false);
    expect(isPulseError({ code: 'forbidden', statusCode: 403 })).toBe(false);
  });
});
