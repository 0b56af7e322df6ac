// Shared by the runtime tests (Deno, Bun, Workers): they run the built packages as users get them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Whether every package's dist/ is built; in CI a missing build is an error, not a skip. */
export function distBuilt(): boolean {
  const built = ['client', 'server', 'protocol'].every((name) => existsSync(`${root}packages/${name}/dist/index.mjs`));
  if (!built && process.env.CI) throw new Error('the packages are not built: run corepack pnpm build first');
  if (!built) console.warn('[openkbs-pulse] runtime test skipped: packages not built (corepack pnpm build)');
  return built;
}
