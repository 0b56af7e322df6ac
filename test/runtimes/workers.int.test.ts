// Cloudflare Workers: a Worker that imports `openkbs-pulse/server`, bundled the way Workers users
// bundle (esbuild with wrangler's `workerd`/`worker`/`browser` conditions, no Node built-ins),
// runs in workerd (through miniflare), mints a token and publishes to the local service.
// Bundles the packed packages (test/runtimes/runtime-helpers.ts): `corepack pnpm build` first.
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { build, type Metafile } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject, distBuilt } from './runtime-helpers.js';


// What a Worker's author writes: the default export of the server SDK, credentials from bindings.
const WORKER = `
import pulse from 'openkbs-pulse/server';
export default {
  async fetch(request, env) {
    const credentials = { kbId: env.KB_ID, apiKey: env.API_KEY, apiUrl: env.API_URL };
    try {
      const { token, endpoint } = await pulse.getToken(env.KB_ID, env.API_KEY, 'worker-user', { apiUrl: env.API_URL });
      const published = await pulse.publish('orders', 'new_order', { id: 'ord-1' }, credentials);
      const presence = await pulse.presence('orders', credentials);
      return Response.json({ token: typeof token, endpoint, published, presence });
    } catch (error) {
      return Response.json({ error: String(error && error.stack || error) }, { status: 500 });
    }
  },
};
`;

/** Bundles the Worker like wrangler does (ESM, workerd conditions, no Node platform). */
async function bundleWorker(project: string): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    stdin: { contents: WORKER, resolveDir: project, loader: 'js', sourcefile: 'worker.js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, metafile: result.metafile };
}

describe.skipIf(!distBuilt())('openkbs-pulse/server in a Cloudflare Worker (workerd)', () => {
  let service: PulseService;
  let mf: Miniflare | undefined;
  let project: string;

  beforeAll(async () => {
    project = consumerProject('workers');
    service = await createPulseService({ host: '127.0.0.1' });
  });
  afterAll(async () => {
    await mf?.dispose();
    await service?.close();
  });

  it('bundles with the workerd conditions without undici or any Node built-in', async () => {
    const { metafile } = await bundleWorker(project);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((path) => path.includes('node_modules/@openkbs-pulse/server/dist/'))).toBe(true);
    expect(inputs.filter((path) => /[\\/]undici[\\/]|^node:/.test(path))).toEqual([]);
    const imports = Object.values(metafile.outputs).flatMap((output) => output.imports.map((i) => i.path));
    expect(imports).toEqual([]);
  });

  it('mints a token, publishes and reads presence against the local service', async () => {
    const { code } = await bundleWorker(project);
    mf = new Miniflare({
      modules: true,
      script: code,
      compatibilityDate: '2025-01-01',
      bindings: { KB_ID: service.kbId, API_KEY: service.apiKey, API_URL: service.apiUrl },
    });
    const before = service.stats().published;
    const response = await mf.dispatchFetch('http://worker.test/');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ token: 'string', endpoint: service.wsUrl, published: { delivered: 0 }, presence: { count: 0, members: [] } });
    // The service counted the Worker's publish: it went over the wire, not into a mock.
    expect(service.stats().published).toBe(before + 1);
  });
});
