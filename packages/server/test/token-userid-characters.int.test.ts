// An outside review found: A userId the one token rule accepts must give a token that can connect (the rule's stated purpose).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { buildConnectUrl, tokenRequestProblem } from '@openkbs-pulse/protocol';
import { createPulseClient, type PulseClient } from '../src/client.js';

let service: PulseService;
let client: PulseClient;
beforeAll(async () => {
  service = await createPulseService();
  client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, env: () => ({}), retries: 0 });
});
afterAll(async () => {
  await client.close();
  await service.close();
});

function tryConnect(endpoint: string, token: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(buildConnectUrl(endpoint, { kbId: service.kbId, token }));
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve(`HTTP ${res.statusCode} ${body}`));
    });
    socket.once('error', (e) => resolve(`error ${e.message}`));
  });
}

describe('userIds tokenRequestProblem accepts', () => {
  it.each([
    ['1,024 control characters', '\u0001'.repeat(1024)],
    ['1,024 lone surrogates', '\ud800'.repeat(1024)],
  ])('%s: either refused, or the token connects', async (_name, userId) => {
    const problem = tokenRequestProblem(userId);
    if (problem) return; // refused by the rule: fine
    const { token, endpoint } = await client.getToken(userId);
    expect(await tryConnect(endpoint, token)).toBe('open');
  });
});
