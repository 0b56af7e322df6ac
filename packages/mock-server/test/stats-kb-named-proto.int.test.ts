// An outside review found: a tenant whose kbId is __proto__ was missing from stats().kbs and GET
// /stats.
// serviceStats() built `kbs` as a plain object literal and assigned `kbs[tenant.kbId] = counts`.
// A tenant whose kbId is "__proto__" (accepted by createPulseService and addTenant: any non-empty
// string) was assigned through the __proto__ setter: it became the prototype of `kbs`, not an own
// key, so service.stats() and GET /stats listed no such kb although its connections were counted
// in the totals. Silently dropped from the read-out.
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
});

it('lists a tenant whose kbId is "__proto__" in stats().kbs and GET /stats', async () => {
  service = await createPulseService();
  service.addTenant('__proto__', 'key-proto');
  await connect(service, 'alice', { kbId: '__proto__', channel: 'room' });

  const stats = service.stats();
  expect(stats.connections).toBe(1); // counted in the totals...
  expect(Object.keys(stats.kbs).sort()).toEqual(['__proto__', service.kbId].sort()); // ...but not listed

  const response = await fetch(`${service.apiUrl}/stats`);
  const body = (await response.json()) as { connections: number; kbs: Record<string, { connections: number }> };
  expect(body.connections).toBe(1);
  expect(Object.hasOwn(body.kbs, '__proto__')).toBe(true);
  expect(body.kbs['__proto__']?.connections).toBe(1);
});
