// An outside review found: kill() threw a TypeError for an id that is not a string once a connection was open (it walks the connections and parses the id).
// service.kill(connectionId) answers whether it dropped a connection: an id that names no open
// connection gives false. A JavaScript caller (or a TypeScript one through `any`/`!`) can pass
// something that is not a string, e.g. the `connectionId` of a `find()` that found nothing. Before
// c5ca793 that was a Map lookup (false); since then kill parses the id against every open
// connection (hasId -> id.startsWith) and throws a TypeError as soon as one connection is open.
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;

afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

describe('kill() with an id that is not a string', () => {
  it('returns false and leaves the open connections alone', async () => {
    const svc = (service = await createPulseService());
    const alice = await connect(svc, 'alice');
    const missing = svc.connections().find((c) => c.userId === 'bob')?.connectionId; // undefined: bob never connected
    for (const id of [missing, null, 42, {}]) {
      expect(() => svc.kill(id as unknown as string), String(id)).not.toThrow();
      expect(svc.kill(id as unknown as string), String(id)).toBe(false);
    }
    await alice.sync();
    expect(svc.connections().map((c) => c.userId)).toEqual(['alice']);
  });
});
