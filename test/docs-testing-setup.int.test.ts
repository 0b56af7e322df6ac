// docs/testing.md "Setup in vitest or jest", run as written: the block between the docs markers is
// the snippet (checked below), and the tests after it use it the way the doc says.
// docs:start
import { afterAll, beforeAll } from 'vitest'; // jest: globals, no import
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
  process.env.OPENKBS_KB_ID = service.kbId;
  process.env.OPENKBS_API_KEY = service.apiKey;
  process.env.OPENKBS_API_URL = service.apiUrl;
});
afterAll(() => service.close());
// docs:end

import { describe, expect, it } from 'vitest';
import Pulse from 'openkbs-pulse';
import pulse from 'openkbs-pulse/server';
import { docSnippet, testRegion } from '../test-helpers/doc-snippets.js';

const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
});

describe('docs/testing.md setup', () => {
  it('is the snippet of the doc, verbatim', () => {
    expect(testRegion(import.meta.url)).toBe(docSnippet('testing.md', '## Setup in vitest or jest'));
  });

  it('points the server SDK at the local service with no explicit credentials', async () => {
    const { token, endpoint } = await pulse.getToken('alice');
    expect(endpoint).toBe(service.wsUrl);
    // A client from the backend's token answer needs no extra option (the doc's next paragraph).
    const client = new Pulse({ kbId: service.kbId, token, channel: 'orders' });
    try {
      const received = new Promise((resolve) => client.channel('orders').subscribe('new_order', resolve));
      await new Promise<void>((resolve) => client.onStateChange((s) => s === 'connected' && resolve()));
      await pulse.publish('orders', 'new_order', { id: 'o1' });
      await expect(received).resolves.toMatchObject({ type: 'new_order', id: 'o1' });
      expect((await pulse.presence('orders')).count).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
