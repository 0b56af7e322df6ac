// An outside review found: The service now refuses (401 invalid_token) a token whose userId breaks tokenRequestProblem
// (auth.ts). The server SDK's verifyToken, documented for "the local service's" tokens
// (createPulseService({ secret })), still calls such a token valid: two rules for one token.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConnectUrl, tokenRequestProblem } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { WebSocket } from 'ws';
import { verifyToken } from '../src/index.js';

const secret = 'a-test-secret-of-32-characters!!';
let service: PulseService;
beforeAll(async () => {
  service = await createPulseService({ secret });
});
afterAll(() => service.close());

async function sign(userId: string): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ kbId: service.kbId, userId, region: service.region, endpoint: service.wsUrl })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(secret));
}

function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => undefined);
  });
}

describe('verifyToken and the service agree on a token', () => {
  it.each([
    ['empty userId', ''],
    ['blank userId', '   '],
    ['userId of 2,000 characters (minted before the 1,024 rule)', 'u'.repeat(2000)],
    ['userId with a control character', 'alice\u0000'],
  ])('%s: the service refuses it, so verifyToken does too', async (_name, userId) => {
    expect(tokenRequestProblem(userId)).toBeDefined();
    const token = await sign(userId);
    expect(await upgradeStatus(buildConnectUrl(service.wsUrl, { kbId: service.kbId, token }))).toBe(401);
    const outcome = await verifyToken(token, secret, { kbId: service.kbId }).then(
      () => 'accepted',
      (error: { code?: string }) => error.code,
    );
    expect(outcome).toBe('invalid_token');
  });
});
