// Vercel Edge Functions: the server SDK bundled the way Next.js bundles edge code (esbuild here,
// with the `edge-light`/`worker`/`browser` conditions, no Node built-ins) and run in Vercel's own
// Edge Runtime (the npm package `edge-runtime`, the VM that `next dev` uses for edge functions):
// mints a token, publishes and reads presence against the local service.
// Bundles the packed packages (test/runtimes/runtime-helpers.ts): `corepack pnpm build` first.
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { EdgeRuntime } from 'edge-runtime';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject, distBuilt } from './runtime-helpers.js';


/** An edge function (fetch event, as the Edge Runtime dispatches) using the server SDK. */
const edgeFunction = (credentials: { kbId: string; apiKey: string; apiUrl: string }) => `
import pulse from 'openkbs-pulse/server';
const credentials = ${JSON.stringify(credentials)};
async function handle() {
  try {
    const { token, endpoint } = await pulse.getToken(credentials.kbId, credentials.apiKey, 'edge-user', { apiUrl: credentials.apiUrl });
    const published = await pulse.publish('orders', 'new_order', { id: 'ord-2' }, credentials);
    const presence = await pulse.presence('orders', credentials);
    return Response.json({ token: typeof token, endpoint, published, presence });
  } catch (error) {
    return Response.json({ error: String((error && error.stack) || error) }, { status: 500 });
  }
}
addEventListener('fetch', (event) => event.respondWith(handle()));
`;

describe.skipIf(!distBuilt())('openkbs-pulse/server in a Vercel Edge Function (edge-runtime)', () => {
  let service: PulseService;
  let project: string;
  beforeAll(async () => {
    project = consumerProject('vercel-edge');
    service = await createPulseService({ host: '127.0.0.1' });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('bundles with the edge-light conditions without undici or a Node built-in, and runs', async () => {
    const result = await build({
      stdin: { contents: edgeFunction({ kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl }), resolveDir: project, loader: 'js' },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'neutral',
      target: 'es2022',
      conditions: ['edge-light', 'worker', 'browser'],
      mainFields: ['browser', 'module', 'main'],
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => /[\\/]undici[\\/]|^node:/.test(path))).toEqual([]);

    const runtime = new EdgeRuntime({ initialCode: result.outputFiles[0]!.text });
    const before = service.stats().published;
    const response = await runtime.dispatchFetch('http://edge.test/');
    const body = (await response.json()) as Record<string, unknown>;
    await response.waitUntil();
    expect(body.error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ token: 'string', endpoint: service.wsUrl, published: { delivered: 0 }, presence: { count: 0, members: [] } });
    expect(service.stats().published).toBe(before + 1);
  });
});
