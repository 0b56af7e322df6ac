// Shared helpers of the benchmarks: statistics, progress, child servers, source bundles.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT_DIR = dirname(BENCH_DIR);
export const TMP_DIR = join(BENCH_DIR, '.tmp');

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A progress line on stderr: rewritten in place on a TTY, one line per update otherwise. */
export function progress(label) {
  const tty = process.stderr.isTTY;
  let last = '';
  return {
    update(text) {
      const line = `  ${label}: ${text}`;
      if (line === last) return;
      last = line;
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else process.stderr.write(`${line}\n`);
    },
    done(text) {
      const line = `  ${label}: ${text}`;
      process.stderr.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}

/**
 * Bundles a workspace package's TypeScript source into one ESM file for child processes
 * (so benchmarks measure the working tree without a prior build).
 * BENCH_SOURCE_ROOT=<dir> bundles the packages of another tree instead, e.g. an earlier commit
 * (`git archive <commit> packages | tar -x -C bench/.tmp/old`), to compare two engines; there
 * `@openkbs-pulse/protocol` is bundled from that tree's source too, and other dependencies come
 * from this checkout.
 */
export async function bundleSource(name, entry) {
  const { build } = await import('esbuild');
  mkdirSync(TMP_DIR, { recursive: true });
  const other = process.env.BENCH_SOURCE_ROOT ? resolve(process.env.BENCH_SOURCE_ROOT) : undefined;
  // Another tree's bundle gets its own file: a concurrent run on this tree keeps reading its own.
  const outfile = join(TMP_DIR, other ? `${name}.${createHash('sha1').update(other).digest('hex').slice(0, 8)}.mjs` : `${name}.mjs`);
  await build({
    entryPoints: [join(other ?? ROOT_DIR, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    external: ['bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    ...(other && {
      alias: { '@openkbs-pulse/protocol': join(other, 'packages/protocol/src/index.ts') },
      nodePaths: ['client', 'mock-server'].map((p) => join(ROOT_DIR, 'packages', p, 'node_modules')),
    }),
  });
  return outfile;
}

/** The `openkbs-pulse` client bundled from source (see `bundleSource`), for the client suites. */
export function clientBundle() {
  return bundleSource('client', 'packages/client/src/index.ts');
}

/**
 * An unsigned token shaped like a real one (header.payload.signature, the claims the client reads),
 * for a client connecting to a bench sender that checks nothing: the client checks the shape.
 */
export function benchToken(kbId = 'kb') {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ kbId, userId: 'bench', exp: Math.floor(Date.now() / 1000) + 86_400 })}.bench`;
}

/** A child process speaking a small request/response protocol over IPC. */
export function startChild(script, args = [], { execArgv = [] } = {}) {
  const child = fork(script, args, { execArgv: ['--expose-gc', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const pending = new Map();
  let readyResolve;
  let readyReject;
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve;
    readyReject = reject;
  });
  child.on('message', (message) => {
    if (message.ready) return readyResolve(message.ready);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result);
  });
  child.on('exit', (code) => {
    readyReject(new Error(`${script} exited with ${code}`));
    for (const waiter of pending.values()) waiter.reject(new Error(`${script} exited with ${code}`));
    pending.clear();
  });
  return {
    child,
    ready,
    request(cmd, body = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, ...body });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Serves IPC requests in a child: handlers[cmd](message) -> result. */
export function serveIpc(handlers) {
  process.on('message', async (message) => {
    try {
      const handler = handlers[message.cmd];
      if (!handler) throw new Error(`unknown command ${message.cmd}`);
      process.send({ id: message.id, result: await handler(message) });
    } catch (error) {
      process.send({ id: message.id, error: String(error?.stack ?? error) });
    }
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  let index = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (index < items.length) {
      const i = index++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

/** Alternates `subjects` in rotated order each round, so drift hits every subject alike. */
export function interleave(subjects, rounds) {
  const order = [];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < subjects.length; i++) order.push(subjects[(i + r) % subjects.length]);
  }
  return order;
}
