// An outside review found: addTenant() skipped the checks createPulseService gives the default
// tenant: addTenant('', key) silently added a tenant no client can ever connect to (every upgrade
// without a kbId is a 400), and addTenant(kb, '') a tenant whose HTTP API answers anyone sending
// `apiKey: ""`.
//
// createPulseService refuses an empty `kbId` or `apiKey` with PulseError `invalid_argument`
// (service-empty-kbid.int.test.ts); addTenant now refuses them the same way, and adds nothing.
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { api } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

it('addTenant with an empty kbId is a PulseError invalid_argument, and adds nothing', async () => {
  service = await createPulseService();
  expect(() => service!.addTenant('', 'key-two')).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringContaining('kbId') }));
  expect(Object.keys(service.stats().kbs)).toEqual([service.kbId]);
});

it('addTenant with an empty apiKey is a PulseError invalid_argument, and adds nothing', async () => {
  service = await createPulseService();
  expect(() => service!.addTenant('kb-two', '')).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringContaining('apiKey') }));
  expect(Object.keys(service.stats().kbs)).toEqual([service.kbId]);
  const answer = await api(service, { action: 'pulseStatus', kbId: 'kb-two', apiKey: '' });
  expect(answer.status).toBeGreaterThanOrEqual(400);
});

it("reconfiguring the default tenant with an empty apiKey is refused too, and keeps its key", async () => {
  service = await createPulseService();
  expect(() => service!.addTenant(service!.kbId, '')).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  expect((await api(service, { action: 'pulseStatus' })).status).toBe(200);
});

it('a kbId or apiKey that is not a string (plain JavaScript) is refused the same way', async () => {
  service = await createPulseService();
  expect(() => service!.addTenant(42 as unknown as string, 'key')).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  expect(() => service!.addTenant('kb-two', Object.create(null) as string)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  expect(Object.keys(service.stats().kbs)).toEqual([service.kbId]);
});
