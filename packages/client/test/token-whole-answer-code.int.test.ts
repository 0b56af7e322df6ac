// An outside review found: passing the whole `{ token, endpoint }` answer of getToken() as
// `token` is documented as `invalid_token`: docs/errors.md lists it as the first likely cause of
// `invalid_token` (whose fix reads "not the whole { token, endpoint } object"), and
// docs/getting-started.md ("When it does not connect") says the constructor throws
// "when the token is not a JWT string (`invalid_token`; passing the whole `{ token, endpoint }`
// answer is named as such)". The server SDK agrees (decodeToken / verifyToken of that object reject
// with `invalid_token`). The client throws `invalid_argument` instead, so `error.docsUrl` leads to
// the invalid_argument section, which says nothing of tokens, and code matching the documented
// `invalid_token` misses the most common mistake.
//
// Run as the docs' pages do it: the backend's getToken answer (server SDK against the local
// service) handed whole to the page's constructor.
import { readFileSync } from 'node:fs';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { createPulseClient, decodeToken } from '@openkbs-pulse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Pulse, { Realtime, isPulseError } from '../src/index.js';

const errorsPage = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** The error code whose docs/errors.md section lists the whole-answer mistake as a likely cause. */
function documentedCode(): string {
  const sections = errorsPage.split(/^## /m).slice(1);
  const codes = sections.filter((body) => /The whole `\{ token, endpoint \}` answer of `getToken`/.test(body)).map((body) => body.split('\n')[0]!.trim());
  expect(codes).toHaveLength(1);
  return codes[0]!;
}

let service: PulseService;
beforeAll(async () => void (service = await createPulseService()));
afterAll(() => service.close());

const codeOf = (work: () => unknown): unknown => {
  try {
    work();
  } catch (error) {
    return isPulseError(error) ? error.code : error;
  }
  return 'nothing thrown';
};

describe('the whole getToken answer passed as `token`', () => {
  it('is refused with the code docs/errors.md files it under, by the client as by the server SDK', async () => {
    const backend = createPulseClient({ kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl });
    try {
      const answer = await backend.getToken('alice'); // { token, endpoint, region, expiresIn }
      const code = documentedCode();
      expect(codeOf(() => decodeToken(answer as never))).toBe(code);
      expect({
        Pulse: codeOf(() => new Pulse({ kbId: service.kbId, token: answer as never, endpoint: answer.endpoint })),
        Realtime: codeOf(() => new Realtime({ kbId: service.kbId, token: answer as never, endpoint: answer.endpoint })),
      }).toEqual({ Pulse: code, Realtime: code });
    } finally {
      await backend.close();
    }
  });
});
