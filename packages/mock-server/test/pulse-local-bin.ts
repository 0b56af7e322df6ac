// The built pulse-local bin, run as a user runs it: shared by the CLI flag tests.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** The bin users run (it runs dist/: see {@link buildPulseLocal}). */
export const pulseLocalBin = fileURLToPath(new URL('../bin/pulse-local.mjs', import.meta.url));

/** Builds the service and what it depends on (the bin runs dist/). For a beforeAll with a long timeout. */
export function buildPulseLocal(): void {
  execFileSync('corepack', ['pnpm', '--filter', '@openkbs-pulse/mock-server...', 'build'], { cwd: packageDir, stdio: 'ignore' });
}

/**
 * Runs the bin for up to 3 s: its exit code (null: still running, i.e. it started), its stdout
 * and stderr together (`out`), and its stderr alone (`err`).
 */
export function runPulseLocal(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [pulseLocalBin, ...args], { stdio: 'pipe' });
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk: Buffer) => void (out += chunk));
    proc.stderr.on('data', (chunk: Buffer) => {
      out += chunk;
      err += chunk;
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve({ code: null, out, err });
    }, 3000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
