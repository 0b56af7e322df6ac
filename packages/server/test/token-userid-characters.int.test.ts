// An outside review found: A userId the one token rule accepts must give a token that can connect (the rule's stated purpose).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { tokenRequestProblem } from '@openkbs-pulse/protocol';
import { createPulseClient, type PulseClient } from '../src/client.js';
import { connectOutcome } from './ws-peer.js';

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

const tryConnect = (endpoint: string, token: string): Promise<string> => connectOutcome(endpoint, service.kbId, token);

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
