// An outside review found: createPulseToken with `expiresIn: {"toString": 1}` answered HTTP 500
// server_error. The protocol's tokenRequestProblem built its message with `String(expiresIn)`,
// which throws for an object whose own toString is not a function; the server SDK's getToken ran
// the same rule. Now it shows the value with `shownValue` (never throws): a 400 invalid_message,
// as for `expiresIn: {}`.
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { api } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

it('answers a createPulseToken whose expiresIn is an object with an own toString with a 400, not a 500', async () => {
  service = await createPulseService();
  // Control: a plain object is refused with 400 invalid_message.
  const plain = await api(service, { action: 'createPulseToken', userId: 'alice', expiresIn: {} });
  expect(plain.status).toBe(400);
  expect(plain.body).toMatchObject({ code: 'invalid_message' });

  for (const expiresIn of [{ toString: 1 }, { toString: null, valueOf: null }, [{ toString: 1 }]]) {
    const answer = await api(service, { action: 'createPulseToken', userId: 'alice', expiresIn });
    expect({ expiresIn, status: answer.status, code: (answer.body as { code?: string }).code }).toEqual({
      expiresIn,
      status: 400,
      code: 'invalid_message',
    });
  }
});
