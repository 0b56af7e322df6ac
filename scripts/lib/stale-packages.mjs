// Which workspace packages need a build (dist/ missing, or older than their src/ or package.json),
// and ensureBuilt(), which builds them: used by `corepack pnpm demo`, the package checks and every
// example's start.mjs, so each runs with one command on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The publishable workspace packages (folders under packages/). */
export const PACKAGE_DIRS = ['packages/protocol', 'packages/server', 'packages/mock-server', 'packages/client'];

/** The command ensureBuilt() runs: the same build as `corepack pnpm build` at the root. */
export const BUILD_COMMAND = ['corepack', ['pnpm', '--filter', './packages/*', 'build']];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** What the build of `dir` produces: dist/, plus the script-tag bundle its package.json names (unpkg). */
function outputsOf(root, dir) {
  const outputs = [join(root, dir, 'dist', 'index.mjs')];
  try {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    if (typeof manifest.unpkg === 'string') outputs.push(join(root, dir, manifest.unpkg));
  } catch {
    // No readable package.json: dist/ decides.
  }
  return outputs;
}

/** The package folders (relative to `root`) among `dirs` whose build output is missing or stale. */
export function stalePackages(root, dirs) {
  return dirs.filter((dir) => {
    const sources = Math.max(newestMtime(join(root, dir, 'src')), newestMtime(join(root, dir, 'package.json')));
    const outputs = outputsOf(root, dir);
    if (outputs.some((file) => !existsSync(file))) return true;
    const built = Math.min(newestMtime(join(root, dir, 'dist')), ...outputs.slice(1).map((file) => newestMtime(file)));
    return sources > built;
  });
}

/**
 * Builds the workspace packages when any is missing or out of date (`corepack pnpm --filter
 * ./packages/* build`, output shown), and does nothing otherwise. Returns the folders that were
 * stale; throws an Error when the build fails.
 *
 * @param {{ root?: string, dirs?: string[], log?: (line: string) => void,
 *   run?: (command: string, args: string[], options: { cwd: string, stdio: 'inherit' }) => { status: number | null, error?: Error } }} [options]
 */
export function ensureBuilt(options = {}) {
  const root = options.root ?? ROOT;
  const log = options.log ?? ((line) => console.log(line));
  const run = options.run ?? spawnSync;
  const stale = stalePackages(root, options.dirs ?? PACKAGE_DIRS);
  if (stale.length === 0) return stale;
  log(`Building the packages (${stale.join(', ')}: build output missing or out of date)…`);
  const [command, args] = BUILD_COMMAND;
  const built = run(command, args, { cwd: root, stdio: 'inherit' });
  if (built.error || built.status !== 0) {
    throw new Error(`The build failed (${built.error?.message ?? `exit ${built.status}`}): fix it, or run \`corepack pnpm build\` and look at its output.`);
  }
  return stale;
}
