// An outside review found: an apiUrl with a wrong path (the commonest local mistake:
// `http://127.0.0.1:PORT/api`) got a 404 { code: 'invalid_message' } from the local service, and the
// SDK kept that code, so the message's fix was the WebSocket client's ("report it with the debug log
// (debug: true)"), an option the server SDK does not have; nothing said to check apiUrl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { createPulseClient } from '../src/client.js';
import { everyRendering } from './helpers.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterAll(async () => {
  await service?.close();
});

async function statusAt(apiUrl: string) {
  const client = createPulseClient({ apiUrl, kbId: service.kbId, apiKey: service.apiKey, retries: 0, env: () => ({}) });
  const error = (await client.status().catch((e: unknown) => e)) as Error & { code: string; status?: number };
  await client.close();
  return error;
}

describe('a wrong API path gets a message that says how to fix it', () => {
  it('apiUrl .../api (404 from the local service): invalid_response naming apiUrl and the path, not a debug option', async () => {
    const apiUrl = new URL('/api', service.apiUrl).href;
    const error = await statusAt(apiUrl);
    expect(error).toMatchObject({ status: 404, code: 'invalid_response' });
    expect(error.message).not.toContain('debug: true');
    expect(error.message).toContain(`check apiUrl: ${apiUrl} has no Pulse API at /api`);
    // The service's own answer says where the API is.
    expect(error.message).toContain('the HTTP API is POST /');
  });

  it('the API key in the wrong apiUrl is not in the message', async () => {
    const error = await statusAt(`${new URL('/api', service.apiUrl).href}?key=${service.apiKey}`);
    expect(error).toMatchObject({ status: 404, code: 'invalid_response' });
    expect(await everyRendering(error)).not.toContain(`key=${service.apiKey}`);
  });
});
