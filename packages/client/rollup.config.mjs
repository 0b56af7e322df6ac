// dist/ (ESM + CJS + .d.mts/.d.cts, dependencies external) and pulse.js: the minified IIFE that
// <script src="https://unpkg.com/openkbs-pulse/pulse.js"> loads (global `Pulse`, `Pulse.Realtime`),
// with everything bundled and isomorphic-ws resolved to its browser file (the global WebSocket).
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import { libraryConfig } from '../../scripts/rollup-lib.mjs';

// Internal property names, safe to shorten in pulse.js (STATES is not exposed by the IIFE). Every
// name here must be used only on our own objects in the bundle (never a public API field, nor a
// property of a runtime object: `builtins: true` below lets terser rename names that also exist in
// the DOM, such as `all` or `check`). bundle.test.ts runs the result.
// Compress: `unsafe_arrows` is safe here (no function expression relies on `this`, `arguments`
// or `new`); `booleans_as_integers` is safe too (no public API returns a boolean literal: flags users
// read are comparisons, and options are compared loosely, e.g. `autoConnect != 0`); no `toplevel`,
// which would drop the `var Pulse` the IIFE exists to define.
const INTERNAL_PROPS = /^(presenceRequested|subscribed|entered|synced|em|engine|defaultChannel|rejectAll|errorCode|opened|dead|queues|sends|retry|terminal|face|all|listen|sync|release|check|flush|key|callback|emit|add|remove|open|down|byId|frame|ping|pong|done|fail)$/;

const iife = {
  input: 'src/iife.ts',
  plugins: [
    // In browsers isomorphic-ws is only a lookup of the global WebSocket, which the engine does anyway.
    { name: 'browser-websocket', resolveId: (id) => (id === 'isomorphic-ws' ? '\0isomorphic-ws' : null), load: (id) => (id === '\0isomorphic-ws' ? 'export default undefined;' : null) },
    nodeResolve({ browser: true, extensions: ['.mjs', '.js', '.ts'] }),
    // SCRIPT_TAG (src/script-tag.ts) is true here: checks that pulse.js leaves out to stay in its size budget drop out.
    esbuild({ target: 'es2022', define: { __PULSE_SCRIPT_TAG__: 'true' }, tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } } }),
    terser({
      ecma: 2020,
      compress: { passes: 3, pure_getters: true, pure_funcs: ['Object.freeze', 'Object.keys'], unsafe_arrows: true, inline: 1, booleans_as_integers: true },
      mangle: { properties: { regex: INTERNAL_PROPS, builtins: true } },
      format: { comments: false },
    }),
  ],
  output: { file: 'pulse.js', format: 'iife', name: 'Pulse', exports: 'default' },
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY') throw new Error(warning.message);
    warn(warning);
  },
};

export default [...libraryConfig({ input: { index: 'src/index.ts', server: 'src/server.ts' } }), iife];
