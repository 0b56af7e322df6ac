// The BUILT package: the `openkbs-pulse` bin as a subprocess against the local service, and the
// ESM entry's edge safety (no static undici / node: imports; bundles for a fetch-only runtime).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/openkbs-pulse.mjs', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], env: Record<string, string> = {}, cwd = PACKAGE_DIR, timeout = 15_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let service: PulseService;
let env: Record<string, string>;
const cli = (...args: string[]) => exec(process.execPath, [BIN, ...args], env);

beforeAll(async () => {
  const rollup = fileURLToPath(new URL('../../../node_modules/rollup/dist/bin/rollup', import.meta.url));
  // The build takes 5 s of CPU, and 20 s or more of wall time while other suites run: a killed
  // build must not read as a failed one.
  const build = await exec(process.execPath, [rollup, '-c', '--silent'], {}, PACKAGE_DIR, 150_000);
  if (build.code !== 0) throw new Error(`build failed (exit ${build.code}): ${build.stderr}`);
  service = await createPulseService({ apiKey: 'cli-secret-api-key-42' });
  env = { OPENKBS_API_URL: service.apiUrl, OPENKBS_KB_ID: service.kbId, OPENKBS_API_KEY: service.apiKey };
}, 180_000);

afterAll(async () => {
  await service?.close();
});

describe('openkbs-pulse bin (built) against the local service', () => {
  it('status: table, then --json', async () => {
    const human = await cli('status');
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toMatch(/enabled\s+true/);
    expect(human.stdout).toContain(service.wsUrl);
    const json = await cli('status', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ enabled: true, endpoint: service.wsUrl, connections: 0 });
  });

  it('token, channels, presence, publish', async () => {
    const token = JSON.parse((await cli('token', 'alice', '--json')).stdout) as { token: string; endpoint: string };
    expect(token.endpoint).toBe(service.wsUrl);
    const { connectRaw } = await import('./ws-peer.js');
    const raw = await connectRaw(token.endpoint, service.kbId, token.token, 'lobby');
    try {
      raw.send({ action: 'presence_enter', channel: 'lobby', data: { name: 'Alice' } });
      await raw.next((f) => f.type === 'presence' && f.action === 'enter');
      const channels = await cli('channels');
      expect(channels.code).toBe(0);
      expect(channels.stdout).toMatch(/CHANNEL\s+SUBSCRIBERS\s+PRESENCE\n[-\s]+\nlobby\s+1\s+1/);
      const presence = await cli('presence', 'lobby');
      expect(presence.stdout).toContain('1 member in lobby');
      expect(presence.stdout).toMatch(/alice\s+\S+\s+\S+\s+\{"name":"Alice"\}/);
      const published = await cli('publish', 'lobby', 'chat', 'hi there', '--json');
      expect(JSON.parse(published.stdout)).toMatchObject({ delivered: 1 });
      expect(await raw.next((f) => f.type === 'message')).toMatchObject({ data: { type: 'chat', text: 'hi there' } });
      await cli('publish', 'lobby', 'obj', '{"n":5}');
      expect(await raw.next((f) => f.type === 'message' && f.data.type === 'obj')).toMatchObject({ data: { n: 5 } });
    } finally {
      await raw.close();
    }
  });

  it('disable then enable --region', async () => {
    expect((await cli('disable')).stdout).toContain('disabled');
    const refused = await cli('publish', 'c', 'e');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[pulse_not_enabled]');
    const enabled = await cli('enable', '--region', 'us-east-1', '--json');
    expect(JSON.parse(enabled.stdout)).toMatchObject({ enabled: true, region: 'us-east-1' });
  });

  it('exit 1 on a wrong api key (flag overrides env), without printing it', async () => {
    const result = await cli('status', '--api-key', 'totally-wrong-key-999');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[invalid_api_key]');
    expect(result.stderr + result.stdout).not.toContain('totally-wrong-key-999');
    expect(result.stderr + result.stdout).not.toContain(service.apiKey);
  });

  it('exit 2 on usage errors and missing credentials', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('presence')).code).toBe(2);
    expect((await cli('enable', '--region', 'moon')).code).toBe(2);
    const missing = await exec(process.execPath, [BIN, 'status'], { OPENKBS_API_URL: service.apiUrl });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('OPENKBS_API_KEY');
  });

  it('--help for the tool and each command', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: openkbs-pulse <command>');
    const publish = await cli('publish', '--help');
    expect(publish).toMatchObject({ code: 0 });
    expect(publish.stdout).toContain('Usage: openkbs-pulse publish <channel> <message> [options]');
  });
});

// The tutorial's CLI reference, `openkbs pulse <command>`, line by line under `openkbs-pulse`
// with the same arguments: enable, status, channels, presence <channel>, publish <ch> "msg", disable.
describe("the tutorial's CLI list (built bin, local service)", () => {
  it('enable, status, channels, presence <channel>, publish <ch> "msg", disable', async () => {
    const enabled = await cli('enable');
    expect(enabled).toMatchObject({ code: 0, stderr: '' });
    expect(enabled.stdout).toContain('Elastic Pulse is enabled');
    const status = await cli('status');
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toMatch(/enabled\s+true/);

    const token = JSON.parse((await cli('token', 'ada', '--json')).stdout) as { token: string; endpoint: string };
    const { connectRaw } = await import('./ws-peer.js');
    const raw = await connectRaw(token.endpoint, service.kbId, token.token, 'posts');
    try {
      raw.send({ action: 'presence_enter', channel: 'posts', data: { name: 'Ada' } });
      await raw.next((f) => f.type === 'presence' && f.action === 'enter');
      const channels = await cli('channels');
      expect(channels).toMatchObject({ code: 0, stderr: '' });
      expect(channels.stdout).toMatch(/\nposts\s+1\s+1/);
      const presence = await cli('presence', 'posts');
      expect(presence).toMatchObject({ code: 0, stderr: '' });
      expect(presence.stdout).toMatch(/1 member in posts\n[\s\S]*ada\s+\S+\s+\S+\s+\{"name":"Ada"\}/);
      // The message is the data, under the default event name: not an event named "msg".
      const published = await cli('publish', 'posts', 'msg');
      expect(published).toMatchObject({ code: 0, stderr: '' });
      expect(published.stdout).toBe('Published message to posts: delivered to 1 connection.\n');
      expect(await raw.next((f) => f.type === 'message')).toMatchObject({ channel: 'posts', data: { type: 'message', text: 'msg' } });
    } finally {
      await raw.close();
    }

    const disabled = await cli('disable');
    expect(disabled).toMatchObject({ code: 0, stderr: '' });
    expect(disabled.stdout).toContain('Elastic Pulse is disabled');
    expect((await cli('status', '--json')).stdout).toContain('"enabled": false');
    expect((await cli('enable')).code).toBe(0);
  });
});

describe('edge safety of dist/index.mjs', () => {
  it('imports only the protocol and jose statically; undici only through the #undici import map', () => {
    const code = readFileSync(new URL('../dist/index.mjs', import.meta.url), 'utf8');
    const specifiers = [...code.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(new Set(specifiers)).toEqual(new Set(['@openkbs-pulse/protocol', 'jose']));
    // The one dynamic import is `#undici`, which each bundler resolves by condition (package.json
    // "imports": undici-none for workerd/worker/browser/edge-light); no node: builtin anywhere.
    const dynamic = [...code.matchAll(/import\(\s*([^)]*)\)/g)].map((m) => m[1]);
    expect(dynamic).toEqual(["'#undici'"]);
    expect(code).not.toMatch(/['"]node:/);
    expect(code).not.toMatch(/\brequire\(/);
  });

  it('bundles for a fetch-only runtime (esbuild, platform neutral) without undici or node builtins', async () => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [fileURLToPath(new URL('../dist/index.mjs', import.meta.url))],
      bundle: true,
      write: false,
      platform: 'neutral',
      format: 'esm',
      mainFields: ['module', 'main'],
      conditions: ['worker', 'browser', 'import'],
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const text = result.outputFiles[0]?.text ?? '';
    expect(text).not.toContain('node:');
    expect(text).toContain('createPulseClient');
  });
});
