import { describe, expect, it } from 'vitest';
import { PulseError } from '@openkbs-pulse/protocol';
import { isPulseApiError, PulseApiError, redact } from '../src/errors.js';

/** What a PulseApiError from another bundle copy of the SDK looks like: same shape, other class. */
function foreignCopy(): Error {
  class ForeignPulseError extends Error {
    override readonly name: string = 'PulseError';
    readonly code = 'rate_limited';
    readonly statusCode = 429;
  }
  class ForeignPulseApiError extends ForeignPulseError {
    override readonly name: string = 'PulseApiError';
    readonly status = 429;
    readonly retryable = true;
    readonly retryAfterMs = 1000;
    readonly action = 'pulsePublish';
    readonly attempts = 3;
  }
  return new ForeignPulseApiError('slow down');
}

describe('isPulseApiError', () => {
  it('recognises its own class and a copy from another bundle', () => {
    expect(isPulseApiError(new PulseApiError('timeout', 't', { retryable: true }))).toBe(true);
    const foreign = foreignCopy();
    expect(foreign instanceof PulseApiError).toBe(false);
    expect(isPulseApiError(foreign)).toBe(true);
  });

  it('rejects a plain PulseError, look-alikes and non-errors', () => {
    expect(isPulseApiError(new PulseError('timeout', 't'))).toBe(false);
    const named = Object.assign(new Error('x'), { name: 'PulseApiError', code: 'timeout', statusCode: undefined });
    expect(isPulseApiError(named)).toBe(false);
    expect(isPulseApiError({ name: 'PulseApiError', code: 'timeout', retryable: true, attempts: 1 })).toBe(false);
    expect(isPulseApiError(undefined)).toBe(false);
  });
});

describe('PulseApiError.attempts', () => {
  it('is read-only for callers (a type error to assign)', () => {
    const error = new PulseApiError('timeout', 't', { retryable: true, attempts: 2 });
    // @ts-expect-error attempts is readonly
    error.attempts = 5;
    expect(typeof error.attempts).toBe('number');
  });
});

describe('redact', () => {
  const key = 'sk_live_SECRET+/=key';
  it.each([
    ['raw', key],
    ['URL-encoded', encodeURIComponent(key)],
    ['URL-encoded, lower-case escapes', encodeURIComponent(key).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
    ['JSON-escaped', JSON.stringify('sk_live_"SECRET"\\key').slice(1, -1)],
  ])('removes the %s spelling', (_name, spelling) => {
    const secret = spelling.startsWith('sk_live_\\"') ? 'sk_live_"SECRET"\\key' : key;
    expect(redact(`before ${spelling} after`, [secret])).toBe('before *** after');
  });

  it('leaves short or missing secrets alone', () => {
    expect(redact('abc', ['ab', undefined, ''])).toBe('abc');
  });
});
