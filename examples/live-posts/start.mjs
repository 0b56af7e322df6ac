// One command: `node examples/live-posts/start.mjs` (builds the packages and pulse.js first when they
// are missing or out of date). Starts a local Pulse service unless OPENKBS_KB_ID / OPENKBS_API_KEY are set, points the
// handler at it through the same environment variables the tutorial's Lambda reads, and serves the
// page. Posts live in PGlite (in memory; PGLITE_DATA_DIR keeps them) or in DATABASE_URL's Postgres.
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from '../../scripts/lib/stale-packages.mjs';

const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
// Run directly (a fresh clone included): build the packages first when their dist/ is missing or
// stale, because the imports below load the built packages. Tests import this file from source.
if (isMain) {
  try {
    ensureBuilt();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
const { createPulseService } = await import('@openkbs-pulse/mock-server');
const { startLivePosts } = await import('./server.mjs');

export async function startLivePostsDemo({ port, log = (line) => console.log(line) } = {}) {
  const hosted = process.env.OPENKBS_KB_ID && process.env.OPENKBS_API_KEY;
  const service = hosted ? undefined : await createPulseService();
  if (service) {
    process.env.OPENKBS_KB_ID = service.kbId;
    process.env.OPENKBS_API_KEY = service.apiKey;
    process.env.OPENKBS_API_URL = service.apiUrl;
    log(`local Pulse service: ${service.wsUrl}`);
  }
  const app = await startLivePosts({ port: port ?? Number(process.env.PORT ?? 3001) });
  log(`database: ${process.env.DATABASE_URL ? 'Postgres at DATABASE_URL' : 'PGlite (embedded Postgres)'}`);
  log(`\n  Live Posts: open ${app.url} in two tabs. Ctrl-C to stop.\n`);
  return {
    url: app.url,
    async stop() {
      await app.close();
      await service?.close();
    },
  };
}

if (isMain) {
  const demo = await startLivePostsDemo();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => demo.stop().then(() => process.exit(0), () => process.exit(1)));
  }
}
