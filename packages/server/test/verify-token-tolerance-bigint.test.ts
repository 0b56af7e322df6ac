// An outside review found: verifyToken's option check built its message with
// JSON.stringify(tolerance) ?? String(tolerance), so clockToleranceSeconds: 30n rejected with a
// TypeError ("Do not know how to serialize a BigInt") instead of invalid_argument. The value is
// shown with the protocol's shownValue now.
import { expect, it } from 'vitest';
import { verifyToken } from '../src/tokens.js';

it('a BigInt clockToleranceSeconds is an invalid_argument, not a TypeError', async () => {
  const error = await verifyToken('a.b.c', 'a-signing-secret-of-the-local-service', { clockToleranceSeconds: 30n as unknown as number }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('clockToleranceSeconds') });
});
