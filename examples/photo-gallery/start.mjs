// One command: `node examples/photo-gallery/start.mjs` (builds the packages first when they are
// missing or out of date). Starts a local
// Pulse service unless OPENKBS_KB_ID / OPENKBS_API_KEY are set, and the gallery (API + Vite).
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
const { startGallery } = await import('./server.mjs');

export async function startGalleryDemo({ port, log = (line) => console.log(line) } = {}) {
  const env = process.env;
  const service = env.OPENKBS_KB_ID && env.OPENKBS_API_KEY ? undefined : await createPulseService();
  const pulse = service
    ? { kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl }
    : { kbId: env.OPENKBS_KB_ID, apiKey: env.OPENKBS_API_KEY, apiUrl: env.OPENKBS_API_URL };
  const gallery = await startGallery({ pulse, port: port ?? Number(env.PORT ?? 3002) });
  if (service) log(`local Pulse service: ${service.wsUrl}`);
  log(`\n  Photo gallery: open ${gallery.url} in two tabs. Ctrl-C to stop.\n`);
  return {
    url: gallery.url,
    async stop() {
      await gallery.close();
      await service?.close();
    },
  };
}

if (isMain) {
  const demo = await startGalleryDemo();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => demo.stop().then(() => process.exit(0), () => process.exit(1)));
  }
}
