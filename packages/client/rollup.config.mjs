// dist/ (ESM + CJS + .d.mts/.d.cts, dependencies external) and pulse.js: the minified IIFE that
// <script src="https://unpkg.com/openkbs-pulse/pulse.js"> loads (global `Pulse`, `Pulse.Realtime`),
// with everything bundled and isomorphic-ws resolved to its browser file (the global WebSocket).
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import { libraryConfig } from '../../scripts/rollup-lib.mjs';

// Only `_`-prefixed properties are renamed in pulse.js: internal fields and methods of our own
// objects carry that prefix (public API and runtime objects never do), so a contributor who
// writes `set.add()` or `Promise.all` cannot break pulse.js by a rename. bundle.test.ts and the
// behaviour suite run against the result.
// Compress: `unsafe_arrows` is safe here (no function expression relies on `this`, `arguments`
// or `new`); no `toplevel`, which would drop the `var Pulse` the IIFE exists to define.
const INTERNAL_PROPS = /^_/;

// pulse.js has no room for `shareConnection` (its gzip budget, bundle.test.ts): there the option is
// a no-op (each tab connects on its own); pulse-share.js is the same bundle with it. The importer's
// file name is what counts, not its path (a checkout in a folder named fix-share-... is no share file).
const noShare = {
  name: 'no-share',
  resolveId: (id, importer) => (id === './share.js' && !/share[^/\\]*$/.test(importer ?? '') ? '\0no-share' : null),
  load: (id) => (id === '\0no-share' ? 'export const createSharedEngine = (options, createEngine) => createEngine(options);' : null),
};

const iife = {
  input: 'src/iife.ts',
  plugins: [
    noShare,
    // In browsers isomorphic-ws is only a lookup of the global WebSocket, which the engine does anyway.
    { name: 'browser-websocket', resolveId: (id) => (id === 'isomorphic-ws' ? '\0isomorphic-ws' : null), load: (id) => (id === '\0isomorphic-ws' ? 'export default undefined;' : null) },
    nodeResolve({ browser: true, extensions: ['.mjs', '.js', '.ts'] }),
    esbuild({ target: 'es2022', tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } } }),
    terser({
      ecma: 2020,
      compress: { passes: 3, pure_getters: true, pure_funcs: ['Object.freeze', 'Object.keys'], unsafe_arrows: true, inline: 1 },
      mangle: { properties: { regex: INTERNAL_PROPS } },
      format: { comments: false },
    }),
  ],
  output: { file: 'pulse.js', format: 'iife', name: 'Pulse', exports: 'default' },
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY') throw new Error(warning.message);
    warn(warning);
  },
};

// `cjsDefault`: `require('openkbs-pulse')` is the Pulse class itself (`new (require('openkbs-pulse'))()`),
// with every named export (Realtime, PulseError, ...) and `default` as properties of it.
export default [
  ...libraryConfig({ input: { index: 'src/index.ts', server: 'src/server.ts', react: 'src/react/index.ts' }, cjsDefault: ['index'] }),
  iife,
  { ...iife, plugins: iife.plugins.slice(1), output: { ...iife.output, file: 'pulse-share.js' } },
];
