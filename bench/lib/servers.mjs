// Starts the benchmark servers (each in its own process) that are available in this checkout.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, ROOT_DIR, bundleSource, startChild } from './util.mjs';

let mockServerBundle;
/** Bundles the local service from source once; undefined when it does not exist yet. */
export async function mockServerBundlePath() {
  if (mockServerBundle !== undefined) return mockServerBundle || undefined;
  const entry = 'packages/mock-server/src/index.ts';
  if (!existsSync(join(ROOT_DIR, entry))) {
    mockServerBundle = '';
    return undefined;
  }
  mockServerBundle = await bundleSource('mock-server', entry);
  return mockServerBundle;
}

/** Starts a server child of `kind`; resolves with { kind, info, request, stop }. */
export async function startServer(kind, { execArgv } = {}) {
  const args = [kind];
  if (kind === 'pulse') {
    const bundle = await mockServerBundlePath();
    if (!bundle) throw new Error('packages/mock-server/src/index.ts does not exist yet');
    args.push(bundle);
  }
  const child = startChild(join(BENCH_DIR, 'servers/server.mjs'), args, { execArgv });
  const info = await child.ready;
  return { kind, info, request: child.request, stop: child.stop };
}
