// An outside review found: the server SDK's publish check took a boxed primitive as an object.
// the server SDK's publish check (validatePublish = protocol publishProblem)
// passes a boxed primitive (`new String('hi')`: typeof 'object', so isObject is true), but the body
// carries its JSON, `"data":"hi"`, and the service's HTTP API refuses that: 400 invalid_message
// "data must be a JSON object". docs/errors.md: invalid_argument means "Nothing was sent".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { createPulseClient, validatePublish, type PulseClient } from '../src/client.js';

let service: PulseService;
let client: PulseClient;
beforeAll(async () => {
  service = await createPulseService();
  client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, env: () => ({}), retries: 0 });
});
afterAll(async () => {
  await client.close();
  await service.close();
});

describe('server SDK publish of a boxed primitive', () => {
  for (const [name, data] of [
    ['new String("hi")', new String('hi')],
    ['new Number(1)', new Number(1)],
    ['new Boolean(true)', new Boolean(true)],
  ] as const) {
    it(`${name}: refused before sending (invalid_argument), as the HTTP API refuses it`, async () => {
      let checked = 'passed';
      try {
        validatePublish('c', 'e', data);
      } catch (e) {
        checked = `threw ${(e as { code: string }).code}`;
      }
      const sent = await client.publish('c', 'e', data as never).then(
        () => 'resolved',
        (e: { code: string; status?: number }) => `rejected ${e.code} (HTTP ${e.status ?? 'none'})`,
      );
      // actual: validatePublish passes; publish goes out and the service answers 400 invalid_message
      expect({ checked, sent }).toEqual({ checked: 'threw invalid_argument', sent: 'rejected invalid_argument (HTTP none)' });
    });
  }
});
