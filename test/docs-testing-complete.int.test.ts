// docs/testing.md "A complete test", run as written: the block between the docs markers is the
// snippet (the last test checks it is the doc's text, verbatim).
// docs:start
import { afterAll, beforeAll, expect, test } from 'vitest';
import Pulse from 'openkbs-pulse';
import pulse from 'openkbs-pulse/server';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterAll(() => service.close());

test('a server publish reaches a subscribed client', async () => {
  // `channel`: subscribed as part of connecting, so `connected` means the subscription is live.
  const client = new Pulse({ kbId: service.kbId, token: await service.createToken('u1'), endpoint: service.wsUrl, channel: 'orders' });
  const received = new Promise((resolve) => client.channel('orders').subscribe('new_order', resolve));
  await new Promise<void>((resolve) => client.onStateChange((s) => s === 'connected' && resolve()));

  await pulse.publish('orders', 'new_order', { id: 'o1' }, { kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl });

  await expect(received).resolves.toMatchObject({ type: 'new_order', id: 'o1' });
  client.disconnect();
});
// docs:end

import { docSnippet, testRegion } from '../test-helpers/doc-snippets.js';

test('is the snippet of the doc, verbatim', () => {
  expect(testRegion(import.meta.url)).toBe(docSnippet('testing.md', '## A complete test'));
});
