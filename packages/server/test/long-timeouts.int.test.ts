// An outside review found: numeric options the SDK accepts as valid ("a positive number") but that Node's
// setTimeout cannot hold (over 2^31-1 ms, about 24.8 days): Node fires such a timer after 1 ms.
// A caller who asks for a long timeout (or "practically none": Number.MAX_SAFE_INTEGER) gets
// every call failing at once with `timeout`, against a service that answers in a few ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { createPulseClient } from '../src/client.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterAll(() => service.close());

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    const e = error as Error & { code: string };
    return `${e.code}: ${e.message}`;
  }
}

describe('long timeouts', () => {
  for (const timeoutMs of [2 ** 31, 30 * 24 * 3600 * 1000, Number.MAX_SAFE_INTEGER]) {
    it(`timeoutMs ${timeoutMs} (accepted by createPulseClient) does not make a fast call time out`, async () => {
      const client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, env: () => ({}), retries: 0, timeoutMs });
      try {
        // actual: "timeout: status to http://127.0.0.1:PORT got no answer within 2147483648 ms (timeoutMs)" after ~1 ms
        expect(await outcome(client.status())).toBe('ok');
      } finally {
        await client.close();
      }
    });
  }
});
