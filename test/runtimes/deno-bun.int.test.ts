// Deno and Bun: the client (on the runtime's own WebSocket) and the server SDK (getToken, publish,
// presence) against the local service, with `openkbs-pulse` and `openkbs-pulse/server` resolved
// by each runtime's own resolver (Deno through `npm:` specifiers) from the packed packages.
// The runtimes come from the npm packages `deno` and `bun` (devDependencies).
import { join } from 'node:path';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, consumerProject, distBuilt, runScenario } from './runtime-helpers.js';

const RUNTIMES = [
  { name: 'deno', command: binary('deno'), args: (script: string) => ['run', '--allow-net', '--allow-read', '--allow-env', script] },
  { name: 'bun', command: binary('bun'), args: (script: string) => ['run', script] },
];

describe.skipIf(!distBuilt())('Deno and Bun', () => {
  let service: PulseService;
  let project: string;
  beforeAll(async () => {
    project = consumerProject('deno-bun');
    service = await createPulseService({ host: '127.0.0.1' });
  });
  afterAll(async () => {
    await service?.close();
  });

  it.each(RUNTIMES)('$name: token, subscribe, server and client publish, presence, on its native WebSocket', async ({ name, command, args }) => {
    const script = join(project, 'scenario.mjs');
    const { result, output } = await runScenario(command, [...args(script), service.apiUrl, service.kbId, service.apiKey], project);
    expect(result, output).toBeDefined();
    expect(result!.error, output).toBeUndefined();
    expect(result!.runtime.startsWith(name)).toBe(true);
    expect(result).toMatchObject({
      token: true,
      endpoint: service.wsUrl,
      connected: true,
      published: { delivered: 1 },
      received: { from: 'server' },
      echoed: { from: 'client' },
      presence: { count: 1, members: [{ userId: 'runtime-user' }] },
    });
    // The client picked the runtime's own WebSocket (not the `ws` package through Node compatibility).
    expect(result!.nativeSockets).toBeGreaterThan(0);
  });
});
