// An outside review found: the client README says a token refresh that fails "emits an error
// (`token_expired`, with the failure as `cause`)", and its errors table lists "a refresh failed
// (error event, retried)" under `token_expired`; the client emits `invalid_response` (or `timeout`)
// for it. An app that follows the README and matches `error.code === 'token_expired'` to tell the
// user "your session ended" never sees a failed refresh.
//
// Run as the docs describe it: the local service and one fake clock (docs/testing.md "Time"), a
// token that expires (the service closes the connection, 4001), an authCallback that fails once.
// The code the README names is read from the README, so the test holds whichever side is fixed.
import { readFileSync } from 'node:fs';
import { createFakeClock, createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Pulse, { type PulseError } from '../src/index.js';
import { waitFor } from './int-helpers.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');

/** The code the README's "Token refresh" section gives a failed refresh. */
function documentedCode(): string {
  const match = /a refresh that fails emits an error \(`(\w+)`, with the failure as `cause`\)/.exec(readme);
  expect(match, 'README "Token refresh": "a refresh that fails emits an error (`<code>`, with the failure as `cause`)"').not.toBeNull();
  return match![1]!;
}

/** The codes of the README's errors table whose row speaks of a failed refresh. */
function tableCodesForFailedRefresh(): string[] {
  return [...readme.matchAll(/\| `(\w+)` \| ([^|]*) \|/g)].filter(([, , when]) => /a refresh failed|a failed refresh|refresh that fails/.test(when!)).map(([, code]) => code!);
}

const clock = createFakeClock();
let service: PulseService;
beforeAll(async () => void (service = await createPulseService({ clock })));
afterAll(() => service.close());

describe('client README: the error a failed token refresh emits', () => {
  it('is the code the README names, with the failure as its cause', async () => {
    const failure = new Error('token route down for a moment');
    let calls = 0;
    const pulse = new Pulse({
      kbId: service.kbId,
      token: await service.createToken('u1', { expiresIn: 3600 }),
      endpoint: service.wsUrl,
      clock,
      random: () => 0,
      heartbeatIntervalMs: 24 * 3600 * 1000, // the fake clock's jumps must not time the pong out
      authCallback: () => {
        calls++;
        if (calls === 1) throw failure;
        return service.createToken('u1');
      },
    });
    const errors: PulseError[] = [];
    pulse.on('error', (error) => errors.push(error));
    try {
      await waitFor('connected', (done) => pulse.onStateChange((s) => s === 'connected' && done(undefined)));
      const refreshFailed = waitFor<PulseError>('the failed refresh', (done) => pulse.on('error', (error) => calls === 1 && done(error)));
      clock.advance(3600 * 1000); // the token expires: the service closes the connection (4001)
      const error = await refreshFailed;

      expect(calls).toBe(1);
      expect({ code: error.code, cause: error.cause }).toEqual({ code: documentedCode(), cause: expect.objectContaining({ message: failure.message }) });
      // The errors table files "a refresh failed" under the code the client emits.
      expect(tableCodesForFailedRefresh()).toEqual([error.code]);
    } finally {
      pulse.disconnect();
    }
  });
});
