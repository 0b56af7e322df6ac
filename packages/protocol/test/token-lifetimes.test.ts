// The token lifetime rule: getToken's expiresIn (tokenRequestProblem) and the service's default
// lifetime option (tokenTtlSeconds, via isTokenLifetime) are one rule.
import { describe, expect, it } from 'vitest';
import { isTokenLifetime, MAX_TOKEN_LIFETIME_SECONDS, tokenRequestProblem } from '@openkbs-pulse/protocol';

const lifetimes: unknown[] = [1, 1.5, 3600, MAX_TOKEN_LIFETIME_SECONDS, 0, 0.999, -1, MAX_TOKEN_LIFETIME_SECONDS + 1, NaN, Infinity, '60', null, 10n];

describe('token lifetimes', () => {
  it('are whole-second-worth numbers from 1 s to a year', () => {
    expect(lifetimes.filter((seconds) => isTokenLifetime(seconds))).toEqual([1, 1.5, 3600, MAX_TOKEN_LIFETIME_SECONDS]);
  });

  it('are the lifetimes a token request may ask for', () => {
    for (const seconds of lifetimes) expect([seconds, tokenRequestProblem('ada', seconds) === undefined]).toEqual([seconds, isTokenLifetime(seconds)]);
    expect(tokenRequestProblem('ada', 0.5)).toBe(`expiresIn must be a number of seconds from 1 to ${MAX_TOKEN_LIFETIME_SECONDS} (got 0.5)`);
    expect(tokenRequestProblem('ada')).toBeUndefined();
  });
});
