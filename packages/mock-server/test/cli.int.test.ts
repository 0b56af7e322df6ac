import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildConnectUrl } from '@openkbs-pulse/protocol';
import { WebSocket } from 'ws';
import { RawClient, closeAllClients, openClient } from './helpers.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/pulse-local.mjs', import.meta.url));
let child: ChildProcessWithoutNullStreams | undefined;

beforeAll(() => {
  // The bin runs dist/cli.mjs, which imports the built protocol package: build both.
  execFileSync('corepack', ['pnpm', '--filter', '@openkbs-pulse/mock-server...', 'build'], { cwd: packageDir, stdio: 'ignore' });
}, 120_000);

afterEach(() => {
  closeAllClients();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** Starts the bin and resolves with its first stdout line. */
function run(args: string[]): Promise<string> {
  const proc = spawn(process.execPath, [bin, ...args], { stdio: 'pipe' });
  child = proc;
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out);
    });
    proc.once('exit', (code) => reject(new Error(`exited with ${code} before printing: ${out}`)));
  });
}

describe('pulse-local CLI', () => {
  it('prints one JSON line with --json, serves a raw ws client, and exits 0 on SIGINT', async () => {
    const output = await run(['--port', '0', '--json', '--kb-id', 'cli-kb', '--api-key', 'cli-key']);
    expect(output.trim().split('\n')).toHaveLength(1);
    const facts = JSON.parse(output) as { wsUrl: string; apiUrl: string; kbId: string; apiKey: string };
    expect(Object.keys(facts)).toEqual(['wsUrl', 'apiUrl', 'kbId', 'apiKey']);
    expect(facts).toMatchObject({ kbId: 'cli-kb', apiKey: 'cli-key' });
    expect(facts.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);

    const response = await fetch(facts.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'createPulseToken', kbId: facts.kbId, apiKey: facts.apiKey, userId: 'alice' }),
    });
    const { token, endpoint } = (await response.json()) as { token: string; endpoint: string };
    expect(endpoint).toBe(facts.wsUrl);
    const client = await openClient(buildConnectUrl(endpoint, { kbId: facts.kbId, token, channel: 'chat' }));
    client.send({ action: 'publish', channel: 'chat', event: 'hi', data: { n: 1 } });
    expect(await client.nextType('message')).toMatchObject({ channel: 'chat', data: { type: 'hi', n: 1 } });
    client.send({ action: 'presence_enter', channel: 'chat' });
    expect(await client.nextType('presence')).toMatchObject({ action: 'enter', member: { userId: 'alice' } });
    await client.sync();

    const exited = once(child!, 'exit');
    child!.kill('SIGINT');
    expect((await exited)[0]).toBe(0);
    expect((await client.closed).code).toBe(1001);
  });

  it('prints a banner without --json and exits 0 on SIGTERM', async () => {
    const output = await run(['--port', '0']);
    expect(output).toMatch(/Local Pulse service ready/);
    const exited = once(child!, 'exit');
    child!.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });

  it('prints the inspector URL in the banner and serves it there; --no-inspector switches it off', async () => {
    const banner = await run(['--port', '0']);
    const inspectorUrl = /Inspector {2}(http:\/\/\S+)/.exec(banner)?.[1];
    expect(inspectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_inspector$/);
    expect(await (await fetch(inspectorUrl!)).text()).toContain('<title>Pulse inspector</title>');
    child!.kill('SIGTERM');
    await once(child!, 'exit');

    const without = await run(['--port', '0', '--no-inspector']);
    expect(without).not.toContain('Inspector');
    const apiUrl = /HTTP API {3}(http:\/\/\S+)/.exec(without)?.[1];
    expect((await fetch(`${apiUrl}/_inspector`)).status).toBe(404);
  });

  it('takes the limits and the origin allow-list as flags', async () => {
    const output = await run(['--port', '0', '--json', '--max-subscriptions', '1', '--allowed-origins', 'https://app.example, https://b.example']);
    const facts = JSON.parse(output) as { wsUrl: string; apiUrl: string; kbId: string; apiKey: string };
    const response = await fetch(facts.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'createPulseToken', kbId: facts.kbId, apiKey: facts.apiKey, userId: 'alice' }),
    });
    const { token } = (await response.json()) as { token: string };
    const url = buildConnectUrl(facts.wsUrl, { kbId: facts.kbId, token, channel: 'one' });
    const client = await new Promise<RawClient>((resolve, reject) => {
      const ws = new WebSocket(url, { origin: 'https://b.example' });
      const raw = new RawClient(ws);
      ws.once('open', () => resolve(raw));
      ws.once('error', reject);
    });
    client.send({ action: 'subscribe', channel: 'two' });
    expect(await client.nextType('error')).toMatchObject({ code: 'limit_exceeded', channel: 'two' });
    client.close();
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { origin: 'https://evil.example' });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('error', () => undefined);
    });
    expect(refused).toBe(403);
  });

  it('exits 2 on a limit that is not a positive integer', async () => {
    const proc = spawn(process.execPath, [bin, '--max-presence', '0'], { stdio: 'pipe' });
    child = proc;
    const [code] = await once(proc, 'exit');
    expect(code).toBe(2);
  });

  it('exits 2 on an unknown option', async () => {
    const proc = spawn(process.execPath, [bin, '--bogus'], { stdio: 'pipe' });
    child = proc;
    const [code] = await once(proc, 'exit');
    expect(code).toBe(2);
  });
});
