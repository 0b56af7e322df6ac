#!/usr/bin/env node
// Checks what is published, not the source tree (STYLE.md "Take" 11):
//   1. `pnpm pack` each publishable package into a temp dir (workspace:^ deps become versions),
//   2. publint --strict and attw --profile node16 on each TARBALL,
//   3. a consumer project that `npm install`s the four tarballs together and type-checks imports of
//      every public entry point with moduleResolution node16 (an ESM .mts and a CJS .cts file) and
//      bundler, then loads each entry point at run time with import() and require(),
//   4. CommonJS consumers of `openkbs-pulse` (`require()` is the Pulse class): a plain script, and
//      TypeScript (`import Pulse = require(...)`, `import Pulse from`) compiled with and without
//      esModuleInterop, for node16 and node10 resolution, then run.
// Exits non-zero on any failure and prints a summary. Usage:
//   node scripts/check-packages.mjs [--keep]   (--keep leaves the temp dir for inspection)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stalePackages } from './lib/stale-packages.mjs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** The publishable packages, with the entry points a consumer may import. */
const PACKAGES = [
  { dir: 'packages/protocol', name: '@openkbs-pulse/protocol', specifiers: ['@openkbs-pulse/protocol'] },
  { dir: 'packages/server', name: '@openkbs-pulse/server', specifiers: ['@openkbs-pulse/server'] },
  { dir: 'packages/mock-server', name: '@openkbs-pulse/mock-server', specifiers: ['@openkbs-pulse/mock-server'] },
  {
    dir: 'packages/client',
    name: 'openkbs-pulse',
    specifiers: ['openkbs-pulse', 'openkbs-pulse/server', 'openkbs-pulse/react'],
    // pulse.js is the script-tag bundle (an IIFE setting the global `Pulse`), exported so that CDNs
    // and bundlers can reference the file; it is not a module entry point, so attw does not check it.
    attwExclude: ['./pulse.js'],
  },
];

/** @type {{ step: string, ok: boolean, detail?: string }[]} */
const results = [];
/** @type {string | undefined} temp dir */
let work;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return { ok: result.status === 0, status: result.status, output: result.error ? String(result.error) : output };
}

function record(step, outcome) {
  results.push({ step, ok: outcome.ok, detail: outcome.ok ? undefined : outcome.output });
  console.log(`${outcome.ok ? 'ok  ' : 'FAIL'} ${step}`);
  if (!outcome.ok && outcome.output) console.log(indent(outcome.output));
  return outcome.ok;
}

const indent = (text) =>
  text
    .split('\n')
    .map((line) => `     ${line}`)
    .join('\n');

// --- 0. build when dist is missing or older than src -------------------------------------------
const staleDirs = stalePackages(root, PACKAGES.map((p) => p.dir));
const stale = PACKAGES.filter(({ dir }) => staleDirs.includes(dir));
if (stale.length > 0) {
  console.log(`building (dist missing or stale: ${stale.map((p) => p.name).join(', ')})`);
  if (!record('build', run('corepack', ['pnpm', '--filter', './packages/*', 'build'], { cwd: root }))) finish();
}

work = mkdtempSync(join(tmpdir(), 'openkbs-pulse-check-'));
const tarballDir = join(work, 'tarballs');
mkdirSync(tarballDir);

// --- 1. pack ----------------------------------------------------------------------------------
/** @type {Map<string, string>} package name -> tarball path */
const tarballs = new Map();
for (const pkg of PACKAGES) {
  const before = new Set(readdirSync(tarballDir));
  const packed = run('corepack', ['pnpm', 'pack', '--pack-destination', tarballDir], { cwd: join(root, pkg.dir) });
  const created = readdirSync(tarballDir).filter((file) => file.endsWith('.tgz') && !before.has(file));
  const ok = packed.ok && created.length === 1;
  record(`pack ${pkg.name}`, { ok, output: packed.output });
  if (ok) tarballs.set(pkg.name, join(tarballDir, created[0]));
}

// --- 2. publint + attw on each tarball ---------------------------------------------------------
for (const pkg of PACKAGES) {
  const tarball = tarballs.get(pkg.name);
  if (!tarball) continue;
  record(`publint ${pkg.name}`, run(bin('publint'), ['run', tarball, '--strict'], { cwd: work }));
  record(
    `attw ${pkg.name}`,
    run(bin('attw'), [tarball, '--profile', 'node16', '--no-definitely-typed', '--format', 'ascii', '--no-color', ...(pkg.attwExclude ? ['--exclude-entrypoints', ...pkg.attwExclude] : [])], {
      cwd: work,
    }),
  );
}

// --- 3. consumer project -----------------------------------------------------------------------
if (tarballs.size === PACKAGES.length) consumerCheck();
else record('consumer type-check', { ok: false, output: 'skipped: not every package could be packed' });
finish();

function consumerCheck() {
  const consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'pulse-consumer', version: '0.0.0', private: true, type: 'commonjs' }, null, 2),
  );
  // All four tarballs in one install, so that their (rewritten) inter-dependencies resolve to each
  // other; third-party dependencies come from the registry.
  const installed = run(
    'npm',
    // react (an optional peer dependency of openkbs-pulse) for its openkbs-pulse/react entry.
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', '@types/node@^20', 'react@^19', '@types/react@^19', ...tarballs.values()],
    { cwd: consumer },
  );
  if (!record('consumer npm install of the tarballs', installed)) return;

  const body = `
const pulse = new Pulse({ kbId: 'kb', token: 'token', autoConnect: false });
const chat = pulse.channel('chat');
const off: () => void = chat.subscribe('message', (data) => void data);
off();
const count: number = chat.presence.count;
void count;
const realtime = new Realtime({ kbId: 'kb', token: 'token', autoConnect: false });
realtime.channels.get('posts').subscribe('new_post', (message) => void message.data);
const alsoRealtime = new Pulse.Realtime({ kbId: 'kb', token: 'token', autoConnect: false });
void alsoRealtime;
const error: unknown = new PulseError('invalid_token', 'x');
if (isPulseError(error)) {
  const code: ErrorCode = error.code;
  void code;
}
const limit: number = MAX_MESSAGE_BYTES;
void limit;
const tokenCall: Promise<{ token: string; endpoint: string }> = getToken('kb', 'key', 'user');
void tokenCall;
void publish;
void serverDefault.publish;
void server.presence;
void createPulseService;
const clock = createFakeClock();
clock.advance(10);
const room: ChannelName<{ message: { text: string } }> = defineChannel<{ message: { text: string } }>('room');
const useRoom = () => useChannel(room, 'message', (data) => void data.text);
void useRoom;
void PulseProvider;
`;
  const imports = (ext) => `
import Pulse, { Realtime, PulseError, isPulseError } from 'openkbs-pulse';
import { PulseProvider, defineChannel, useChannel, type ChannelName } from 'openkbs-pulse/react';
import serverDefault, { getToken, publish } from 'openkbs-pulse/server';
import * as server from '@openkbs-pulse/server';
import { MAX_MESSAGE_BYTES, type ErrorCode } from '@openkbs-pulse/protocol';
import { createPulseService, createFakeClock } from '@openkbs-pulse/mock-server';
// ${ext}
`;
  writeFileSync(join(consumer, 'esm.mts'), imports('ESM, node16') + body + 'export {};\n');
  writeFileSync(join(consumer, 'cjs.cts'), imports('CJS, node16') + body);
  writeFileSync(join(consumer, 'bundler.ts'), imports('bundler') + body + 'export {};\n');
  const common = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'] };
  writeFileSync(
    join(consumer, 'tsconfig.node16.json'),
    JSON.stringify({ compilerOptions: { ...common, module: 'node16', moduleResolution: 'node16' }, files: ['esm.mts', 'cjs.cts'] }),
  );
  writeFileSync(
    join(consumer, 'tsconfig.bundler.json'),
    JSON.stringify({
      compilerOptions: { ...common, module: 'esnext', moduleResolution: 'bundler', esModuleInterop: true },
      files: ['bundler.ts'],
    }),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  record('consumer tsc (node16: esm.mts + cjs.cts)', run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], { cwd: consumer }));
  record('consumer tsc (bundler)', run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], { cwd: consumer }));

  // Run time: every entry point loads in both module systems (catches a CJS build that requires ESM).
  for (const specifier of PACKAGES.flatMap((p) => p.specifiers)) {
    const esm = `import(${JSON.stringify(specifier)}).then((m) => { if (Object.keys(m).length === 0) throw new Error('no exports'); })`;
    record(`consumer import('${specifier}')`, run(process.execPath, ['-e', esm], { cwd: consumer }));
    const cjs = `const m = require(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) throw new Error('no exports');`;
    record(`consumer require('${specifier}')`, run(process.execPath, ['-e', cjs], { cwd: consumer }));
  }
  commonJsConsumers(consumer, tsc);
}

/**
 * `const Pulse = require('openkbs-pulse'); new Pulse(...)`: the CJS build is the class itself with
 * every named export as a property, and its types (`export =`) say the same to TypeScript.
 */
function commonJsConsumers(consumer, tsc) {
  // An unsigned JWT with the claims the client reads (it never verifies the signature).
  const jwt = (param) => `const b64 = (${param}) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = \`\${b64({ alg: 'none', typ: 'JWT' })}.\${b64({ kbId: 'kb', userId: 'u1', exp: Math.floor(Date.now() / 1000) + 3600 })}.\`;
`;
  const token = jwt('value: object');
  const script = `'use strict';
const assert = require('node:assert/strict');
${jwt('value')}
const Pulse = require('openkbs-pulse');
new (require('openkbs-pulse'))({ kbId: 'kb', token, autoConnect: false }).disconnect();
const pulse = new Pulse({ kbId: 'kb', token, autoConnect: false });
assert.ok(pulse instanceof Pulse);
assert.equal(pulse.state, 'disconnected');
pulse.disconnect();
const { Pulse: Named, Realtime, PulseError, isPulseError, ERROR_STATUS, MAX_MESSAGE_BYTES, TRANSITIONS } = require('openkbs-pulse');
assert.equal(Named, Pulse);
assert.equal(require('openkbs-pulse').default, Pulse);
new (require('openkbs-pulse').Realtime)({ kbId: 'kb', token, autoConnect: false }).close();
new Realtime({ kbId: 'kb', token, autoConnect: false }).close();
assert.ok(isPulseError(new PulseError('invalid_token', 'x')));
assert.equal(typeof ERROR_STATUS, 'object');
assert.equal(typeof MAX_MESSAGE_BYTES, 'number');
assert.equal(typeof TRANSITIONS, 'object');
// openkbs-pulse/server keeps its shape: named exports and \`default\`, the server SDK.
const server = require('openkbs-pulse/server');
assert.equal(typeof server.getToken, 'function');
assert.equal(typeof server.default.getToken, 'function');
`;
  writeFileSync(join(consumer, 'require.cjs'), script);
  record("consumer CommonJS: new (require('openkbs-pulse'))(...)", run(process.execPath, ['require.cjs'], { cwd: consumer }));

  const checks = `
const pulse: Pulse = new Pulse(options);
const state: ConnectionState = pulse.state;
assert.strictEqual(state, 'disconnected');
pulse.disconnect();
new Pulse.Realtime({ kbId: 'kb', token, autoConnect: false }).close();
const realtime: Realtime = new Realtime({ kbId: 'kb', token, autoConnect: false });
realtime.close();
const error: unknown = new PulseError('invalid_token', 'x');
assert.ok(error instanceof Error && isPulseError(error));
const code: ErrorCode = error.code;
assert.strictEqual(code, 'invalid_token');
`;
  writeFileSync(
    join(consumer, 'cjs-export-equals.cts'),
    `import assert = require('node:assert');
import Pulse = require('openkbs-pulse');
${token}
type ConnectionState = Pulse.ConnectionState;
type ErrorCode = Pulse.ErrorCode;
type Realtime = Pulse.Realtime;
const { Realtime, PulseError, isPulseError } = Pulse;
const options: Pulse.PulseOptions = { kbId: 'kb', token, autoConnect: false };
${checks}
assert.strictEqual(Pulse.default, Pulse);
assert.strictEqual(Pulse.Pulse, Pulse);
const limit: number = Pulse.MAX_MESSAGE_BYTES;
assert.ok(limit > 0 && typeof Pulse.ERROR_STATUS === 'object' && typeof Pulse.TRANSITIONS === 'object');
`,
  );
  writeFileSync(
    join(consumer, 'cjs-default-import.cts'),
    `import assert = require('node:assert');
import Pulse, { Realtime, PulseError, isPulseError, type ConnectionState, type ErrorCode, type PulseOptions } from 'openkbs-pulse';
import * as namespace from 'openkbs-pulse';
${token}
const options: PulseOptions = { kbId: 'kb', token, autoConnect: false };
${checks}
assert.strictEqual(namespace.Realtime, Realtime);
`,
  );
  const files = ['cjs-export-equals.cts', 'cjs-default-import.cts'];
  const common = { strict: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022'], types: ['node'] };
  for (const [resolution, module] of [
    ['node16', 'node16'],
    ['node10', 'commonjs'],
  ]) {
    for (const esModuleInterop of [false, true]) {
      const name = `cjs-${resolution}-${esModuleInterop ? 'interop' : 'no-interop'}`;
      const compilerOptions = { ...common, module, moduleResolution: resolution, esModuleInterop, outDir: `out-${name}` };
      writeFileSync(join(consumer, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files }));
      const label = `TS CommonJS consumer (${resolution}, esModuleInterop ${esModuleInterop})`;
      if (!record(`${label}: tsc`, run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: consumer }))) continue;
      for (const file of files) {
        const emitted = join(`out-${name}`, file.replace(/\.cts$/, '.cjs'));
        record(`${label}: node ${file}`, run(process.execPath, [emitted], { cwd: consumer }));
      }
    }
  }
}

function finish() {
  const failed = results.filter((r) => !r.ok);
  console.log('\n── check:packages summary ──');
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.step}`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  if (work !== undefined) {
    if (keep) console.log(`temp dir kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  process.exit(failed.length === 0 && results.length > 0 ? 0 : 1);
}
