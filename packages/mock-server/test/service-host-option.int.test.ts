// createPulseService({ host: '' }) (a HOST variable unset) listened on every interface (Node's
// listen with host '' is ::) while the service's URLs said 127.0.0.1; pulse-local's --host= is a
// usage error for that reason. The API refuses it alike, with invalid_argument naming host.
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

it.each(['', '   ', 5])('refuses host %j as invalid_argument naming it', async (host) => {
  const outcome = await createPulseService({ host: host as string }).then(
    (made) => ((service = made), 'created'),
    (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
  );
  expect(outcome).toEqual({ code: 'invalid_argument', message: expect.stringMatching(/^host must be/) });
});

it('takes a host, and none (127.0.0.1)', async () => {
  service = await createPulseService({ host: '127.0.0.1' });
  expect(service.host).toBe('127.0.0.1');
  await service.close();
  service = await createPulseService({});
  expect(service.host).toBe('127.0.0.1');
});
