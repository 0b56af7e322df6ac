// An outside review found: an HTTP CONNECT got no answer at all. Node's HTTP server destroys a
// CONNECT's socket when nobody listens for 'connect', and the service turned every other odd
// request ('upgrade', 'clientError', 'checkExpectation') into its JSON { error, code } 4xx but not
// that one. Now it is a 405 (Allow: GET, POST) with code invalid_message.
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { rawRequest } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

it('answers a CONNECT request with a JSON 4xx instead of dropping the socket', async () => {
  service = await createPulseService();
  const port = service.port;
  const answers = [];
  for (const target of [`127.0.0.1:${port}`, '/']) {
    const answer = await rawRequest(port, `CONNECT ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, { waitMs: 3000 });
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      body = answer.body;
    }
    answers.push({ target, status: answer.status, code: (body as { code?: unknown })?.code });
  }
  expect(answers).toEqual([
    { target: `127.0.0.1:${port}`, status: expect.toSatisfy((s: number) => s >= 400 && s < 500), code: 'invalid_message' },
    { target: '/', status: expect.toSatisfy((s: number) => s >= 400 && s < 500), code: 'invalid_message' },
  ]);
});
