// docs/testing.md "Time", run as written: the block between the docs markers is the snippet (the
// last test checks it is the doc's text, verbatim).
// docs:start
import { afterAll, beforeAll, expect, test } from 'vitest';
import Pulse from 'openkbs-pulse';
import { createFakeClock, createPulseService, type PulseService } from '@openkbs-pulse/mock-server';

const clock = createFakeClock();
let service: PulseService;
beforeAll(async () => {
  service = await createPulseService({ clock });
});
afterAll(() => service.close());

test('an expired token is replaced without waiting an hour', async () => {
  let refreshes = 0;
  const client = new Pulse({
    kbId: service.kbId,
    token: await service.createToken('u1', { expiresIn: 3600 }),
    authCallback: () => (refreshes++, service.createToken('u1')),
    endpoint: service.wsUrl,
    clock,
    random: () => 0,
    // The fake clock runs the heartbeat's timers too, but its pong comes over a real socket: one
    // jump past the heartbeat (20 s) and its timeout (10 s) declares the connection dead first.
    heartbeatIntervalMs: 24 * 3600 * 1000,
  });
  const state = (wanted: string) => new Promise<void>((resolve) => client.onStateChange((s) => s === wanted && resolve()));
  await state('connected');

  const reconnecting = state('reconnecting');
  const reconnected = reconnecting.then(() => state('connected'));
  clock.advance(3600 * 1000); // the token expires: the service closes the connection (code 4001)
  await reconnecting;
  clock.advance(1000); // the first reconnection delay; the client gets a token from authCallback
  await reconnected;
  expect(refreshes).toBe(1);
  client.disconnect();
});
// docs:end

import { docSnippet, testRegion } from '../test-helpers/doc-snippets.js';

test('is the snippet of the doc, verbatim', () => {
  expect(testRegion(import.meta.url)).toBe(docSnippet('testing.md', '## Time'));
});
