#!/usr/bin/env node
// `corepack pnpm demo`: builds the packages when dist/ is missing or older than src/, then starts a
// local Pulse service and the chat example (examples/chat), prints the URL to open (opens nothing)
// and runs until Ctrl-C, which stops everything cleanly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['protocol', 'server', 'mock-server', 'client'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const stale = PACKAGES.filter((name) => {
  const dir = join(root, 'packages', name);
  const dist = join(dir, 'dist');
  const sources = Math.max(newestMtime(join(dir, 'src')), newestMtime(join(dir, 'package.json')));
  return !existsSync(join(dist, 'index.mjs')) || sources > newestMtime(dist);
});
if (stale.length > 0) {
  console.log(`Building the packages (${stale.join(', ')} missing or out of date)…`);
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
