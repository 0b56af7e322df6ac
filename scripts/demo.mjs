#!/usr/bin/env node
// `corepack pnpm demo`: builds the packages when dist/ is missing or older than src/, then starts a
// local Pulse service and the chat example (examples/chat), prints the URL to open (opens nothing)
// and runs until Ctrl-C, which stops everything cleanly.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stalePackages } from './lib/stale-packages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['protocol', 'server', 'mock-server', 'client'];

const stale = stalePackages(root, PACKAGES.map((name) => `packages/${name}`));
if (stale.length > 0) {
  console.log(`Building the packages (${stale.join(', ')}: dist missing or out of date)…`);
  const built = spawnSync('corepack', ['pnpm', '--filter', './packages/*', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('\nThe build failed; fix it and run `corepack pnpm demo` again.');
    process.exit(built.status ?? 1);
  }
}

const { runUntilInterrupted } = await import(pathToFileURL(join(root, 'examples/chat/start.mjs')).href);
await runUntilInterrupted().catch((error) => {
  console.error(error);
  process.exit(1);
});
