// dist/web.mjs: the ESM build for runtimes that have a WebSocket of their own, chosen by the
// `deno` and `bun` export conditions. It is the npm build with isomorphic-ws resolved to nothing,
// so the engine takes the global WebSocket: without it Deno would run the `ws` package through
// its Node compatibility layer, and Bun its `ws` shim, instead of their native WebSocket.
// Dependencies other than isomorphic-ws stay external, as in dist/index.mjs.
import { readFileSync } from 'node:fs';
import esbuild from 'rollup-plugin-esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const deps = Object.keys(pkg.dependencies ?? {}).filter((dep) => dep !== 'isomorphic-ws');

export default {
  input: { web: 'src/index.ts' },
  external: (id) => id.startsWith('node:') || deps.some((dep) => id === dep || id.startsWith(dep + '/')),
  plugins: [
    { name: 'global-websocket', resolveId: (id) => (id === 'isomorphic-ws' ? '\0isomorphic-ws' : null), load: (id) => (id === '\0isomorphic-ws' ? 'export default undefined;' : null) },
    esbuild({ target: 'es2022' }),
  ],
  output: { dir: 'dist', format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/web-[name]-[hash].mjs' },
};
