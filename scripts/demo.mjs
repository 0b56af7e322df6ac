#!/usr/bin/env node
// `corepack pnpm demo`: builds the packages when dist/ is missing or older than src/, then starts a
// local Pulse service and the chat example (examples/chat), prints the URL to open (opens nothing)
// and runs until Ctrl-C, which stops everything cleanly.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBuilt } from './lib/stale-packages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

try {
  ensureBuilt({ root });
} catch (error) {
  console.error(`\n${error.message}\nThen run \`corepack pnpm demo\` again.`);
  process.exit(1);
}

const { runUntilInterrupted } = await import(pathToFileURL(join(root, 'examples/chat/start.mjs')).href);
await runUntilInterrupted().catch((error) => {
  console.error(error);
  process.exit(1);
});
