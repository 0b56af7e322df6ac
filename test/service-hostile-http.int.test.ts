// Issue 12, finding 1 and "every request handler is total": arbitrary request lines, headers
// and bodies (HTTP and WebSocket upgrades, well-formed or not) thrown at the local service over
// raw sockets on 127.0.0.1. Nothing reaches an uncaught exception or an unhandled rejection, no
// answer is a 5xx, every error answer is the service's JSON `{ error, code }`, and a normal client
// still works after. Both embedded (`createPulseService`) and as the `pulse-local` CLI process.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createPulseService } from '@openkbs-pulse/mock-server';
import { API_ACTIONS, buildConnectUrl } from '@openkbs-pulse/protocol';
import { hostileRequest, recordingFatalErrors, sendRaw, type RawAnswer, type RawRequest } from '../test-helpers/hostile-http.js';

const RUNS = 300;
const ACTIONS = Object.values(API_ACTIONS);
const FIELDS = ['kbId', 'apiKey', 'userId', 'expiresIn', 'channel', 'event', 'data', 'region'];

/** Requests that carry the right credentials, so they reach every action with hostile arguments. */
function keyedRequest(kbId: string, apiKey: string): fc.Arbitrary<RawRequest> {
  return fc
    .record({
      action: fc.constantFrom(...ACTIONS),
      fields: fc.dictionary(fc.constantFrom('userId', 'expiresIn', 'channel', 'event', 'data', 'region', '__proto__', 'type'), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 }),
      deep: fc.option(fc.integer({ min: 60, max: 6000 })),
    })
    .map(({ action, fields, deep }) => {
      let body = JSON.stringify({ ...fields, action, kbId, apiKey });
      // Deep nesting as text (never built as a value): `data` nested `deep` levels.
      if (deep !== null) body = body.slice(0, -1) + `,"data":${'{"a":'.repeat(deep)}1${'}'.repeat(deep)}}`;
      const head = `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
      return { bytes: Buffer.from(head + body), summary: body.slice(0, 200) };
    });
}

/** The checks every answer must pass. */
function checkAnswer(request: RawRequest, answer: RawAnswer, problems: string[]): void {
  if (answer.status === undefined) return; // closed without an answer (e.g. a half-closed upgrade): allowed
  if (answer.status >= 500) problems.push(`${answer.status} for ${request.summary}`);
  if (answer.status >= 400 && !request.summary.startsWith('"HEAD')) {
    let body: unknown;
    // Bytes left after a refused request are read as a next request, whose answer follows this one.
    const first = answer.body.split(/HTTP\/1\.[01] \d{3} /)[0]!;
    try {
      body = JSON.parse(first);
    } catch {
      problems.push(`${answer.status} without a JSON body (${JSON.stringify(answer.body.slice(0, 80))}) for ${request.summary}`);
      return;
    }
    if (typeof (body as { code?: unknown }).code !== 'string' || typeof (body as { error?: unknown }).error !== 'string') {
      problems.push(`${answer.status} body is not { error, code }: ${answer.body.slice(0, 80)}`);
    }
  }
}

/** A normal client: connects, publishes, receives its own message. */
async function clientWorks(wsUrl: string, kbId: string, token: string): Promise<unknown> {
  const ws = new WebSocket(buildConnectUrl(wsUrl, { kbId, token, channel: 'after' }));
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const message = new Promise<unknown>((resolve) => ws.on('message', (data) => resolve(JSON.parse(String(data)))));
    ws.send(JSON.stringify({ action: 'publish', channel: 'after', event: 'still', data: { ok: true } }));
    return await message;
  } finally {
    ws.terminate();
  }
}

async function hammer(port: number, kbId: string, apiKey: string): Promise<string[]> {
  const problems: string[] = [];
  const requests = fc.sample(fc.oneof(hostileRequest(['/', '/stats'], ACTIONS, FIELDS), keyedRequest(kbId, apiKey)), { numRuns: RUNS, seed: 1212 });
  // A few at a time, as a crawler or an attacking page would.
  for (let i = 0; i < requests.length; i += 8) {
    const batch = requests.slice(i, i + 8);
    const answers = await Promise.all(batch.map((request) => sendRaw(port, request)));
    batch.forEach((request, n) => checkAnswer(request, answers[n]!, problems));
  }
  return problems;
}

describe('hostile HTTP against the local service', () => {
  it(`embedded: ${RUNS} arbitrary requests, no crash, no 5xx, JSON errors, a client works after`, async () => {
    const service = await createPulseService({ requestTimeoutMs: 1000 });
    try {
      const { result: problems, fatal } = await recordingFatalErrors(() => hammer(service.port, service.kbId, service.apiKey));
      expect(fatal).toEqual([]);
      expect(problems).toEqual([]);
      expect(service.listening).toBe(true);
      service.setEnabled(service.kbId, true); // the keyed requests may have run disableElasticPulse
      const token = await service.createToken('after');
      expect(await clientWorks(service.wsUrl, service.kbId, token)).toMatchObject({ type: 'message', data: { type: 'still', ok: true } });
    } finally {
      await service.close();
    }
  }, 120_000);

  describe('the pulse-local CLI process', () => {
    const bin = fileURLToPath(new URL('../packages/mock-server/bin/pulse-local.mjs', import.meta.url));
    let child: ChildProcessWithoutNullStreams;
    let facts: { wsUrl: string; apiUrl: string; kbId: string; apiKey: string };

    beforeAll(async () => {
      execFileSync('corepack', ['pnpm', '--filter', '@openkbs-pulse/mock-server...', 'build'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'ignore' });
      child = spawn(process.execPath, [bin, '--port', '0', '--json'], { stdio: 'pipe' });
      facts = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(JSON.parse(out) as typeof facts);
        });
        child.once('exit', (code) => reject(new Error(`pulse-local exited with ${code}`)));
      });
    }, 120_000);

    afterAll(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    it(`${RUNS} arbitrary requests, the process stays up and a client works after`, async () => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const port = Number(new URL(facts.apiUrl).port);
      const problems = await hammer(port, facts.kbId, facts.apiKey);
      expect(problems).toEqual([]);
      expect(child.exitCode).toBeNull();
      expect(stderr).toBe('');
      const call = (body: object) =>
        fetch(facts.apiUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kbId: facts.kbId, apiKey: facts.apiKey, ...body }),
        }).then((response) => response.json() as Promise<Record<string, unknown>>);
      // The keyed requests may have run disableElasticPulse (with the right key, as a backend may).
      expect(await call({ action: 'enableElasticPulse' })).toMatchObject({ enabled: true });
      const { token } = (await call({ action: 'createPulseToken', userId: 'after' })) as { token: string };
      expect(await clientWorks(facts.wsUrl, facts.kbId, token)).toMatchObject({ type: 'message', data: { type: 'still' } });
      expect(child.exitCode).toBeNull();
    }, 120_000);
  });
});
