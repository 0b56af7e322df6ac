// Shared rollup configuration of the publishable packages: ESM + CJS with separate
// .d.mts/.d.cts declarations, dependencies left external, and optional CLI bins.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';
import { cjsDefaultEntry, cjsDefaultId, dtsExportEquals, noSharedChunks } from './lib/cjs-default.mjs';

const NODE_BUILTINS = new Set(builtinModules);

/**
 * @param {object} options
 * @param {Record<string, string>} [options.input] entry name -> source file
 * @param {Record<string, string>} [options.bins] bin name -> source file (ESM, with a shebang)
 * @param {string[]} [options.cjsDefault] entry names whose CommonJS `module.exports` is their default
 *   export with every named export as a property of it (`new (require(pkg))()`), typed by `export =`
 *   (scripts/lib/cjs-default.mjs); the other entries' CJS is a namespace object (`exports.default`)
 */
export function libraryConfig({ input = { index: 'src/index.ts' }, bins = {}, cjsDefault = [] } = {}) {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  // The package's own name too: a subpath entry (openkbs-pulse/react) imports the main entry by
  // name, so both share one copy of it at run time instead of bundling a second.
  const deps = [pkg.name, ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
  // `#name` is the package's own import map: the consumer's resolver picks the target by condition.
  const external = (id) =>
    id.startsWith('#') || id.startsWith('node:') || NODE_BUILTINS.has(id) || deps.some((dep) => id === dep || id.startsWith(dep + '/'));
  const esm = { dir: 'dist', format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' };
  const cjs = {
    dir: 'dist',
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: 'chunks/[name]-[hash].cjs',
    exports: 'named',
    // A default import (or `export { default } from`) of an external reads its `default` when
    // it is a transpiled ES module (`__esModule`, as our own packages' dist/*.cjs are), and
    // the module itself otherwise (plain CommonJS such as ws). Rollup's own default took the
    // whole namespace, so `require('openkbs-pulse/server').default` was not the server SDK.
    interop: 'auto',
  };
  const code = {
    input,
    external,
    plugins: [esbuild({ target: 'es2022' })],
    output: cjsDefault.length === 0 ? [esm, cjs] : [{ ...esm, plugins: [noSharedChunks(cjsDefault)] }],
  };
  // `output.exports` is per build, so the cjsDefault entries get a CJS build of their own.
  const plain = Object.fromEntries(Object.entries(input).filter(([name]) => !cjsDefault.includes(name)));
  const cjsBuilds =
    cjsDefault.length === 0
      ? []
      : [
          ...(Object.keys(plain).length > 0 ? [{ input: plain, external, plugins: [esbuild({ target: 'es2022' })], output: cjs }] : []),
          {
            input: Object.fromEntries(cjsDefault.map((name) => [name, cjsDefaultId(resolve(input[name]))])),
            external,
            plugins: [cjsDefaultEntry(), esbuild({ target: 'es2022' })],
            output: { ...cjs, exports: 'default' },
          },
        ];
  const types = {
    input,
    external,
    plugins: [dts()],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.mts', chunkFileNames: 'chunks/[name]-[hash].d.mts' },
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].d.cts',
        chunkFileNames: 'chunks/[name]-[hash].d.cts',
        plugins: cjsDefault.length === 0 ? [] : [dtsExportEquals(cjsDefault)],
      },
    ],
  };
  const configs = [code, ...cjsBuilds, types];
  if (Object.keys(bins).length > 0) {
    configs.push({
      input: bins,
      external,
      plugins: [esbuild({ target: 'es2022' })],
      output: { dir: 'dist', format: 'es', entryFileNames: '[name].mjs', banner: '#!/usr/bin/env node' },
    });
  }
  return configs;
}
