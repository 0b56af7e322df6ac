// The chat backend is total: arbitrary request lines, headers and bodies (upgrades included), over
// real sockets, never reach an uncaught exception or an unhandled rejection; bad input gets a 4xx
// with a JSON body, and a normal request still works after each one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
// @ts-expect-error the example backend is plain JavaScript
import { startChatServer } from '../server.mjs';
import { hostileRequest, recordingFatalErrors, sendRaw, type RawRequest } from '../../../test-helpers/hostile-http.js';
import { SOURCE_ALIAS } from './helpers.js';

let service: PulseService;
let chat: { url: string; port: number; close(): Promise<void> };

beforeAll(async () => {
  service = await createPulseService();
  chat = await startChatServer({ pulse: { kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl }, alias: SOURCE_ALIAS });
});
afterAll(async () => {
  await chat?.close();
  await service?.close();
});

const raw = (text: string): RawRequest => ({ bytes: Buffer.from(text, 'latin1'), summary: text });

/** A normal client: a token, a message, the catch-up list. */
async function stillWorks(): Promise<void> {
  const post = (path: string, body: object) =>
    fetch(`${chat.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const token = await post('/api/token', { name: 'Ada' });
  expect(token.status).toBe(200);
  const { userId } = (await token.json()) as { userId: string };
  expect((await post('/api/messages', { userId, name: 'Ada', text: 'still here' })).status).toBe(200);
  expect((await fetch(`${chat.url}/api/messages`)).status).toBe(200);
}

describe('chat backend under hostile HTTP', () => {
  it('GET //[ (finding 1) gets a JSON 400 and the server goes on', async () => {
    const { result, fatal } = await recordingFatalErrors(() => sendRaw(chat.port, raw('GET //[ HTTP/1.1\r\nhost: x\r\n\r\n')));
    expect(fatal).toEqual([]);
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: expect.any(String) });
    await stillWorks();
  });

  it('a request Node cannot parse gets a JSON 400', async () => {
    const result = await sendRaw(chat.port, raw('GET / HTTP/1.1\r\nbad header\r\n\r\n'));
    expect(result.status).toBe(400);
    expect(result.contentType).toMatch(/application\/json/);
  });

  it('property: arbitrary requests never take it down; 4xx answers are JSON, none is a 5xx', async () => {
    const { fatal } = await recordingFatalErrors(() =>
      fc.assert(
        fc.asyncProperty(
          hostileRequest(['/', '/app.js', '/api/token', '/api/messages'], [], ['name', 'userId', 'text', 'after']),
          async (request) => {
            const answer = await sendRaw(chat.port, request);
            if (answer.status !== undefined) {
              expect(answer.status, request.summary).toBeLessThan(500);
              if (answer.status >= 400) expect(answer.contentType, request.summary).toMatch(/application\/json/);
            }
          },
        ),
        { numRuns: 150 },
      ),
    );
    expect(fatal).toEqual([]);
    await stillWorks();
  });
});
