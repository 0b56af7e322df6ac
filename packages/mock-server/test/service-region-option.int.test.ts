// An outside review found: createPulseService and addTenant accepted any region, which the server
// SDK then refused in every answer.
// createPulseService checked kbId, apiKey, tokenTtlSeconds and every limit with a typed
// invalid_argument, and addTenant checked kbId and apiKey, but neither checked `region` with the
// protocol's isRegion. A region such as "mars" (plain JS, a config file, an env variable) was
// accepted, put into every token, and answered by createPulseToken / pulseStatus / enable:
// the server SDK (same protocol rule) then refused every one of those answers as invalid_response
// "check that the URL points at a Pulse service, not a proxy", far from the mistake.
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { createPulseClient } from '../../server/src/index.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

it('createPulseService refuses a region that is not us-east-1 or eu-central-1 with invalid_argument', async () => {
  let error: unknown;
  try {
    service = await createPulseService({ region: 'mars' as never });
  } catch (caught) {
    error = caught;
  }
  expect(error).toMatchObject({ code: 'invalid_argument', message: 'region must be us-east-1 or eu-central-1 (got "mars"); leave it out for "us-east-1"' });
});

it('addTenant refuses a region that is not us-east-1 or eu-central-1 with invalid_argument, adding nothing', async () => {
  service = await createPulseService();
  expect(() => service!.addTenant('kb-two', 'key-two', { region: 'EU' as never })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  expect(Object.keys(service.stats().kbs)).toEqual([service.kbId]);
  // Reconfiguring a tenant with one changes nothing either; a region the protocol knows is taken.
  service.addTenant('kb-two', 'key-two', { region: 'eu-central-1' });
  expect(() => service!.addTenant('kb-two', 'key-three', { region: 'mars' as never })).toThrow(/addTenant: region must be us-east-1 or eu-central-1 \(got "mars"\)/);
  const client = createPulseClient({ apiUrl: service.apiUrl, kbId: 'kb-two', apiKey: 'key-two', retries: 0 });
  const status = await client.status().finally(() => client.close());
  expect(status.region).toBe('eu-central-1');
});

it('(consequence) the server SDK cannot use a service started with such a region', async () => {
  service = await createPulseService({ region: 'mars' as never }).catch(() => undefined);
  if (!service) return; // refused at start: the fix
  const client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, retries: 0 });
  const outcome = await client.status().then(
    () => 'ok',
    (error: { code: string }) => error.code,
  );
  await client.close();
  expect(outcome).toBe('ok');
});
