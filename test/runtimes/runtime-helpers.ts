// Shared by the runtime tests (Deno, Bun, Workers, Vercel Edge): they run the packed packages as users install them.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Whether every package's dist/ is built; in CI a missing build is an error, not a skip. */
export function distBuilt(): boolean {
  // dist/web.mjs (the deno/bun entry) comes from the package's build script, not from `rollup -c` alone.
  const outputs = ['client/dist/index.mjs', 'client/dist/web.mjs', 'server/dist/index.mjs', 'protocol/dist/index.mjs'];
  const built = outputs.every((path) => existsSync(`${root}packages/${path}`));
  if (!built && process.env.CI) throw new Error('the packages are not built: run corepack pnpm build first');
  if (!built) console.warn('[openkbs-pulse] runtime test skipped: packages not built (corepack pnpm build)');
  return built;
}

/** The published packages the runtimes import, and the folder each is built in. */
const PACKAGES = [
  { name: 'openkbs-pulse', dir: 'client' },
  { name: '@openkbs-pulse/server', dir: 'server' },
  { name: '@openkbs-pulse/protocol', dir: 'protocol' },
] as const;

/**
 * A consumer project in .tmp/runtimes/<name>, laid out as npm installs one: each package is its
 * `pnpm pack` tarball unpacked into node_modules (what is published, not the source tree), and
 * their third-party dependencies are links to the versions the workspace resolved. Deno resolves
 * `npm:` specifiers from it (nodeModulesDir "manual"); its empty tsconfig keeps Bun from applying
 * the repository's source `paths`; bundlers bundle from it. Returns the project folder.
 */
export function consumerProject(name: string): string {
  const dir = join(root, '.tmp', 'runtimes', name);
  rmSync(dir, { force: true, recursive: true });
  const modules = join(dir, 'node_modules');
  const packs = join(dir, 'packs');
  mkdirSync(join(modules, '@openkbs-pulse'), { recursive: true });
  mkdirSync(packs, { recursive: true });
  for (const pkg of PACKAGES) {
    const source = join(root, 'packages', pkg.dir);
    const packed = spawnSync('corepack', ['pnpm', 'pack', '--pack-destination', packs], {
      cwd: source,
      encoding: 'utf8',
      // No terminal to answer corepack's download question: the pinned pnpm is fetched silently.
      env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
    });
    if (packed.status !== 0) throw new Error(`pnpm pack ${pkg.name} failed: ${packed.stderr}`);
    const tarball = readdirSync(packs).find((file) => file.startsWith(pkg.name.replace('@', '').replace('/', '-') + '-'));
    if (!tarball) throw new Error(`pnpm pack ${pkg.name} left no tarball in ${packs}`);
    const target = join(modules, pkg.name);
    mkdirSync(target, { recursive: true });
    const unpacked = spawnSync('tar', ['-xzf', join(packs, tarball), '-C', target, '--strip-components=1'], { encoding: 'utf8' });
    if (unpacked.status !== 0) throw new Error(`unpacking ${tarball} failed: ${unpacked.stderr}`);
    rmSync(join(packs, tarball));
    const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (PACKAGES.some((own) => own.name === dep) || existsSync(join(modules, dep))) continue;
      mkdirSync(dirname(join(modules, dep)), { recursive: true });
      symlinkSync(realpathSync(join(source, 'node_modules', dep)), join(modules, dep), 'dir');
    }
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ private: true, type: 'module', dependencies: { 'openkbs-pulse': '*', '@openkbs-pulse/server': '*' } }),
  );
  writeFileSync(join(dir, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }));
  writeFileSync(join(dir, 'tsconfig.json'), '{}');
  copyFileSync(join(root, 'test', 'runtimes', 'scenario.mjs'), join(dir, 'scenario.mjs'));
  return dir;
}

/** What scenario.mjs reports. */
export interface ScenarioResult {
  runtime: string;
  error?: string;
  token?: boolean;
  endpoint?: string;
  connected?: boolean;
  published?: { delivered: number };
  received?: unknown;
  echoed?: unknown;
  presence?: { count: number; members: { userId: string }[] };
  nativeSockets?: number;
}

/** Runs `command args...`, and returns the scenario's RESULT line parsed, with the output for failures. */
export function runScenario(command: string, args: string[], cwd: string): Promise<{ result: ScenarioResult | undefined; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.on('error', reject);
    child.on('close', () => {
      const line = output.split('\n').find((text) => text.startsWith('RESULT '));
      resolve({ result: line ? (JSON.parse(line.slice('RESULT '.length)) as ScenarioResult) : undefined, output });
    });
  });
}

/** A binary that an npm devDependency ships (deno, bun). */
export const binary = (name: string): string => join(root, 'node_modules', '.bin', name);
