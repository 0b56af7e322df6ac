// tokenClaimsProblem: the server SDK's rule for a minted token (token-answer-claims in the server package).
import { describe, expect, it } from 'vitest';
import { tokenClaimsProblem } from '../src/index.js';

const jwt = (claims: object) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('tokenClaimsProblem', () => {
  it.each([
    [{ kbId: 'kb', userId: 'alice' }, undefined],
    [{}, undefined],
    [{ kbId: 'kb' }, undefined],
    [{ kbId: 'kb-2', userId: 'alice' }, 'token is for kbId "kb-2", not "kb"'],
    [{ kbId: 'kb', userId: 'bob' }, 'token is for userId "bob", not "alice"'],
    [{ userId: 'alice\n' }, 'token is for userId "alice\\n", not "alice"'],
  ])('%j for kb/alice: %s', (claims, problem) => {
    expect(tokenClaimsProblem(jwt(claims), 'kb', 'alice')).toBe(problem);
  });

  it('a token that is not a JWT has no claims to contradict (tokenAnswerProblem refuses it)', () => {
    expect(tokenClaimsProblem('nope', 'kb', 'alice')).toBeUndefined();
    expect(tokenClaimsProblem(42, 'kb', 'alice')).toBeUndefined();
  });
});
