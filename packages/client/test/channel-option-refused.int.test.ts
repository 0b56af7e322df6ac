// An outside review found: against the local service, a `channel` option it refuses (HTTP 400)
// left the client retrying for ever; it is now refused by the constructor.
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Pulse, { type PulseError } from '../src/index.js';
import { tokenFor } from './int-helpers.js';

let service: PulseService;
const clients: { disconnect(): void }[] = [];
beforeEach(async () => {
  service = await createPulseService({ host: '127.0.0.1' });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await service.close();
});

describe('an invalid `channel` option', () => {
  it('is refused with invalid_argument (at construction, or as a failed state), not retried for ever', async () => {
    const token = await tokenFor(service, 'alice');
    let client: Pulse | undefined;
    let thrown: unknown;
    try {
      client = new Pulse({ kbId: service.kbId, token, endpoint: service.wsUrl, channel: 'x'.repeat(300) });
      clients.push(client);
    } catch (e) {
      thrown = e;
    }
    if (thrown) return expect((thrown as PulseError).code).toBe('invalid_argument');
    const states: string[] = [];
    const errors: string[] = [];
    client!.onStateChange((s) => states.push(s));
    client!.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    await new Promise((r) => setTimeout(r, 3500));
    console.log(JSON.stringify({ state: client!.state, states, errors }, null, 1));
    expect({ state: client!.state, states, errors }).toMatchObject({ state: "failed" });
  });
});
