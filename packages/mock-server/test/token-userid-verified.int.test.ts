// An outside review found: Every token the service accepts must give frames its clients accept: a userId the mint rule
// (tokenRequestProblem) refuses is still accepted at the upgrade, and its presence frames are
// then refused whole by every other client's parser.
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildConnectUrl, parseServerFrame, tokenRequestProblem } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect, openClient, upgradeRefusal } from './helpers.js';

const secret = 'a-test-secret-of-32-characters!!';
let service: PulseService;
beforeAll(async () => {
  service = await createPulseService({ secret });
});
afterEach(() => closeAllClients());
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

it.each([
  ['empty userId', ''],
  ['blank userId', '   '],
])('%s: refused at the upgrade, or its presence frames parse for the other clients', async (_name, userId) => {
  expect(tokenRequestProblem(userId)).toBeDefined();
  const token = await sign(userId);
  const url = buildConnectUrl(service.wsUrl, { kbId: service.kbId, token });
  let ghost;
  try {
    ghost = await openClient(url);
  } catch {
    const refusal = await upgradeRefusal(url);
    expect(refusal.status).toBe(401);
    return;
  }
  const bob = await connect(service, 'bob');
  bob.send({ action: 'subscribe', channel: 'room' });
  await bob.sync();
  ghost.send({ action: 'presence_enter', channel: 'room', data: { n: 1 } });
  await ghost.sync();
  bob.send({ action: 'presence', channel: 'room' });
  const sync = await bob.nextType('presence', (f) => f.action === 'sync');
  const parsed = parseServerFrame(JSON.stringify(sync));
  expect(parsed.ok ? 'ok' : parsed.message).toBe('ok');
});
