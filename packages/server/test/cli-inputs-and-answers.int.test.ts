// An outside review found: the CLI (runCli in-process) against the real local service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { runCli } from '../src/cli-run.js';
import { connectRaw, type RawPeer } from './ws-peer.js';

let service: PulseService;
let env: Record<string, string>;
const peers: RawPeer[] = [];

beforeAll(async () => {
  service = await createPulseService();
  env = { OPENKBS_KB_ID: service.kbId, OPENKBS_API_KEY: service.apiKey, OPENKBS_API_URL: service.apiUrl };
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await service.close();
});

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, clientOptions: { retries: 0 } });
  return { code, stdout, stderr };
}

describe('openkbs-pulse CLI against the local service', () => {
  it('publish with a number JSON cannot carry (1e999 parses to Infinity): refused (exit 2), not delivered as null', async () => {
    const token = await service.createToken('watcher');
    const peer = await connectRaw(service.wsUrl, service.kbId, token, 'chat');
    peers.push(peer);
    const result = await run(['publish', 'chat', '{"amount": 1e999}']);
    const got = peer.frames.length ? peer.frames : [await peer.next((f) => f.type === 'message', 1000).catch(() => 'nothing')];
    // actual: exit 0, "delivered to 1 connection", the subscriber got {"amount":null,"type":"message"}
    expect({ code: result.code, stdout: result.stdout, delivered: JSON.stringify(got) }).toEqual({ code: 2, stdout: "", delivered: expect.not.stringContaining("null") });
  });

  it('publish of data with a "__proto__" key: the SDK refuses it before sending (exit 2, invalid_argument), as its docs and the protocol check say', async () => {
    const result = await run(['publish', 'chat', '{"__proto__": {"admin": true}}']);
    // actual: exit 1, "... failed with HTTP 400: body.data has a "__proto__" key ... [invalid_message]"
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 2, stderr: expect.stringContaining('[invalid_argument]') });
  });

  it('token --expires-in 0.5: refused (exit 2, whole seconds from 1), not a token already expired', async () => {
    const result = await run(['token', 'alice', '--expires-in', '0.5', '--json']);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/expiresIn must be a number of seconds from 1/);
  });

  // An outside review found the CLI checking --expires-in by a rule of its own ("> 0"), with
  // other words than getToken's for the same refusal: the range is now getToken's alone.
  it('token --expires-in -5 or 0: refused with getToken\'s words (the one rule), exit 2', async () => {
    for (const value of ['--expires-in=-5', '--expires-in=0']) {
      const result = await run(['token', 'alice', value]);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(/expiresIn must be a number of seconds from 1 to 31536000/);
    }
  });

  it('presence of a channel with 100 members with accepted presence data: exit 0 with the listing', async () => {
    const data = { bio: 'x'.repeat(32_600) };
    for (let i = 0; i < 100; i++) {
      const peer = await connectRaw(service.wsUrl, service.kbId, await service.createToken(`m${i}`));
      peers.push(peer);
      peer.send({ action: 'presence_enter', channel: 'room', data });
    }
    await expect.poll(() => service.stats().presenceMembers, { timeout: 10_000 }).toBe(100);
    const result = await run(['presence', 'room', '--json']);
    // actual: exit 1, "pulsePresence answered HTTP 200 with a body of 3269... bytes (Content-Length), over maxResponseBytes (1048576)"
    expect({ code: result.code, stderr: result.stderr.slice(0, 300) }).toEqual({ code: 0, stderr: '' });
  });
});
