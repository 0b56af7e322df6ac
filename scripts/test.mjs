#!/usr/bin/env node
// The whole test suite, as run by `corepack pnpm test` and by CI (.ci/run):
// build, typecheck, lint, the vitest projects on this Node (unit, integration, Chromium, scale),
// the runtime matrix (Deno, Bun, Cloudflare Workers' workerd, Vercel's Edge Runtime, Firefox, WebKit:
// one step each, timed),
// unit + integration again on each of Node 20, 22 and 24 that this Node is not, the packed-package
// checks and the API docs. Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The supported Node lines (README runtime table): the suite runs on this Node, then the unit and
// integration tests again on each of these that this Node is not.
const PINNED_NODE = { 20: '20.20.2', 22: '22.23.5', 24: '24.21.0' };
const totals = { passed: 0, failed: 0, skipped: 0 };
const started = Date.now();

function run(title, command, args, options = {}) {
  const t0 = Date.now();
  console.log(`\n━━ ${title}\n$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env, ...options });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✗ ${title} failed (exit ${result.status ?? result.signal}) after ${seconds}s`);
    summary();
    process.exit(1);
  }
  console.log(`✓ ${title} (${seconds}s)`);
}

function vitest(title, nodeBinary, projects, reportName, files = []) {
  const report = join(root, '.tmp', `${reportName}.json`);
  const args = [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile=${report}`];
  for (const project of projects) args.push('--project', project);
  args.push(...files);
  run(title, nodeBinary, args);
  const results = JSON.parse(readFileSync(report, 'utf8'));
  totals.passed += results.numPassedTests;
  totals.failed += results.numFailedTests;
  totals.skipped += results.numPendingTests + results.numTodoTests;
  if (results.numTotalTests === 0) {
    console.error(`✗ ${title} ran no test`);
    process.exit(1);
  }
}

/** A Node binary of `version` from the npm registry (node-<platform>-<arch> packages ship it), cached in .tmp/. */
function nodeBinary(version) {
  const dir = join(root, '.tmp', `node-${version}`);
  const pkg = `node-${process.platform}-${process.arch}`;
  const binary = join(dir, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    run(`fetch Node ${version} (${pkg}) from the npm registry`, 'npm', [
      'install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `${pkg}@${version}`,
    ]);
  }
  return binary;
}

function summary() {
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  console.log(`\nsuite finished in ${minutes} min`);
  console.log(`total: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
}

mkdirSync(join(root, '.tmp'), { recursive: true });
run('build all packages', 'corepack', ['pnpm', 'build']);
run('typecheck', 'corepack', ['pnpm', 'typecheck']);
run('lint', 'corepack', ['pnpm', 'lint']);
vitest(`tests on Node ${process.versions.node} (unit, integration, browser: Chromium, scale)`, process.execPath, ['unit', 'integration', 'browser', 'scale'], 'vitest-node-current');
// The client's behaviour suite again, against the built script-tag bundle: the two builds cannot drift.
vitest('client behaviour suite against the built pulse.js', process.execPath, ['pulse-js'], 'vitest-pulse-js');
// The runtime matrix, each timed on its own (the README runtime table says what each covers).
const packageVersion = (pkg) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
vitest(`Deno ${packageVersion('deno')} and Bun ${packageVersion('bun')}: client + server SDK`, process.execPath, ['runtimes'], 'vitest-deno-bun', ['test/runtimes/deno-bun']);
vitest(`Cloudflare Workers: workerd through miniflare ${packageVersion('miniflare')}`, process.execPath, ['runtimes'], 'vitest-workers', ['test/runtimes/workers']);
vitest(`Vercel Edge: edge-runtime ${packageVersion('edge-runtime')}`, process.execPath, ['runtimes'], 'vitest-vercel-edge', ['test/runtimes/vercel-edge']);
vitest('Firefox ESR: cross-browser suite', process.execPath, ['firefox'], 'vitest-firefox');
vitest('WebKit (WebKitGTK MiniBrowser): cross-browser suite', process.execPath, ['webkit'], 'vitest-webkit');
const major = process.versions.node.split('.')[0];
for (const [pinnedMajor, version] of Object.entries(PINNED_NODE)) {
  if (pinnedMajor === major) continue;
  vitest(`tests on Node ${version} (unit, integration)`, nodeBinary(version), ['unit', 'integration'], `vitest-node-${version}`);
}
run('packed packages: publint, attw, consumer type-check', 'node', ['scripts/check-packages.mjs']);
run('API reference (typedoc, warnings are errors)', 'corepack', ['pnpm', 'run', 'docs']);
summary();
