// One command: `node examples/photo-gallery/start.mjs` (after `corepack pnpm build`). Starts a local
// Pulse service unless OPENKBS_KB_ID / OPENKBS_API_KEY are set, and the gallery (API + Vite).
import { pathToFileURL } from 'node:url';
import { createPulseService } from '@openkbs-pulse/mock-server';
import { startGallery } from './server.mjs';

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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const demo = await startGalleryDemo();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => demo.stop().then(() => process.exit(0), () => process.exit(1)));
  }
}
