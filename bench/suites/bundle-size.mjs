// Client bundle size: each SDK bundled the same way (esbuild, minified, browser, IIFE) from a
// minimal entry that imports and constructs the client; gzip -9 sizes. Ours also as shipped (pulse.js).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BENCH_DIR, ROOT_DIR, TMP_DIR, progress } from '../lib/util.mjs';

const ENTRIES = {
  'openkbs-pulse': `import Pulse from 'openkbs-pulse'; globalThis.c = [new Pulse({ kbId: 'kb', token: 't', autoConnect: false }), new Pulse.Realtime({ kbId: 'kb', token: 't', autoConnect: false })];`,
  'socket.io-client': `import { io } from 'socket.io-client'; globalThis.c = io('https://example.com', { autoConnect: false });`,
  'pusher-js': `import Pusher from 'pusher-js'; globalThis.c = new Pusher('key', { cluster: 'mt1' });`,
  centrifuge: `import { Centrifuge } from 'centrifuge'; globalThis.c = new Centrifuge('wss://example.com/connection/websocket');`,
  '@supabase/realtime-js': `import { RealtimeClient } from '@supabase/realtime-js'; globalThis.c = new RealtimeClient('wss://example.com/realtime/v1', { params: { apikey: 'k' } });`,
  ably: `import * as Ably from 'ably'; globalThis.c = new Ably.Realtime({ key: 'app.key:secret', autoConnect: false });`,
};

/** The baseline row: our client bundled exactly like the peers. */
export const BASELINE = 'openkbs-pulse';

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

export async function bundleSizes() {
  const { build } = await import('esbuild');
  const dir = join(TMP_DIR, 'bundle-size');
  mkdirSync(dir, { recursive: true });
  const sizes = {};
  const bar = progress('bundle size');
  for (const [name, source] of Object.entries(ENTRIES)) {
    bar.update(name);
    const entry = join(BENCH_DIR, `.tmp/bundle-size/${name.replace(/[@/]/g, '_')}.entry.js`);
    writeFileSync(entry, source);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2020',
      write: false,
      logLevel: 'silent',
      nodePaths: [join(BENCH_DIR, 'node_modules')],
      // Our package is bundled from its source, the peers from their published builds.
      alias: {
        'openkbs-pulse': join(ROOT_DIR, 'packages/client/src/index.ts'),
        '@openkbs-pulse/protocol': join(ROOT_DIR, 'packages/protocol/src/index.ts'),
      },
      define: { 'process.env.NODE_ENV': '"production"' },
    }).catch((error) => ({ error }));
    if (result.error) {
      sizes[name] = { error: String(result.error.message ?? result.error).split('\n')[0] };
      continue;
    }
    const code = result.outputFiles[0].contents;
    sizes[name] = { minBytes: code.length, gzipBytes: gzip(code) };
  }
  const shipped = join(ROOT_DIR, 'packages/client/pulse.js');
  if (existsSync(shipped)) {
    const code = readFileSync(shipped);
    sizes['openkbs-pulse (pulse.js as shipped)'] = { minBytes: code.length, gzipBytes: gzip(code) };
  } else sizes['openkbs-pulse (pulse.js as shipped)'] = { error: 'packages/client/pulse.js not built' };
  bar.done('done');
  return sizes;
}

/** The rows: every size as a ratio to our client bundled the same way as the peers (esbuild). */
export function bundleRows(sizes) {
  const base = sizes[BASELINE]?.gzipBytes;
  return Object.entries(sizes).map(([name, size]) => ({
    subject: name,
    value: size.gzipBytes ?? null,
    unit: 'B gzip',
    detail: size.error ? `error: ${size.error}` : `${size.minBytes} B minified`,
    ratio: size.gzipBytes && base ? size.gzipBytes / base : null,
  }));
}

export async function run() {
  return {
    title: 'Client bundle size (esbuild --minify, browser IIFE, gzip -9)',
    ratioLabel: 'size / openkbs-pulse built the same way',
    rows: bundleRows(await bundleSizes()),
    note:
      'Every SDK, ours included, is bundled the same way (esbuild, minified, browser IIFE, a minimal entry that constructs the client) and ratios are against our row built so. ' +
      '"pulse.js as shipped" is the rollup + terser bundle users load from a CDN, shown for reference (its ratio is against the same-way build too).',
  };
}
