// Shared by the runtime tests (Deno, Bun, Workers): they run the built packages (dist/) as users get them.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * A consumer project in .tmp/runtimes/<name> whose node_modules links the workspace packages,
 * like an app that installed them: Deno resolves `npm:` specifiers from it (nodeModulesDir
 * "manual"), and its empty tsconfig keeps Bun from applying the repository's source `paths`.
 * Returns the path of the scenario script copied into it.
 */
export function consumerProject(name: string): string {
  const dir = join(root, '.tmp', 'runtimes', name);
  mkdirSync(join(dir, 'node_modules', '@openkbs-pulse'), { recursive: true });
  const link = (target: string, path: string) => {
    rmSync(join(dir, 'node_modules', path), { force: true, recursive: true });
    symlinkSync(join(root, 'packages', target), join(dir, 'node_modules', path), 'dir');
  };
  link('client', 'openkbs-pulse');
  link('server', '@openkbs-pulse/server');
  link('protocol', '@openkbs-pulse/protocol');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ private: true, type: 'module', dependencies: { 'openkbs-pulse': '*', '@openkbs-pulse/server': '*' } }),
  );
  writeFileSync(join(dir, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }));
  writeFileSync(join(dir, 'tsconfig.json'), '{}');
  copyFileSync(join(root, 'test', 'runtimes', 'scenario.mjs'), join(dir, 'scenario.mjs'));
  return join(dir, 'scenario.mjs');
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
