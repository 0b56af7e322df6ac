/**
 * The local Pulse service in a child process, for tests whose clients would not fit in one
 * process with it (the fd limit is per process). The service source is bundled with esbuild
 * into `test-helpers/.tmp/` (git-ignored), so no build is needed. Driven over IPC.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const TMP = fileURLToPath(new URL('./.tmp/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Memory of the child process (bytes), after forced garbage collection. */
export interface ChildMemory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const CHILD = `
import { createPulseService } from './mock-server.mjs';
const options = JSON.parse(process.argv[2] ?? '{}');
const service = await createPulseService(options);
const handlers = {
  async tokens({ n, prefix }) {
    const tokens = [];
    for (let i = 0; i < n; i++) tokens.push(await service.createToken(prefix + i));
    return tokens;
  },
  memory() {
    for (let i = 0; i < 4; i++) globalThis.gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  },
  connections: () => service.connections().length,
  subscribers: ({ channel }) => service.connections().filter((c) => c.channels.includes(channel)).length,
  stats: () => service.stats(),
  close: async () => { await service.close(); return true; },
};
process.on('message', async (message) => {
  try {
    process.send({ id: message.id, result: await handlers[message.cmd](message) });
  } catch (error) {
    process.send({ id: message.id, error: String(error && error.stack || error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: { wsUrl: service.wsUrl, apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey } });
`;

/** Handle of a service child process. */
export interface ServiceProcess {
  wsUrl: string;
  apiUrl: string;
  kbId: string;
  apiKey: string;
  request<T>(cmd: string, body?: Record<string, unknown>): Promise<T>;
  /** Closes the service and waits for the process to exit. */
  stop(): Promise<void>;
}

/** Bundles the service and starts it in a child process. */
export async function startServiceProcess(options: Record<string, unknown> = {}): Promise<ServiceProcess> {
  mkdirSync(TMP, { recursive: true });
  await build({
    entryPoints: [`${ROOT}packages/mock-server/src/index.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: `${TMP}mock-server.mjs`,
    logLevel: 'silent',
    external: ['bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  writeFileSync(`${TMP}service-child.mjs`, CHILD);
  const child: ChildProcess = fork(`${TMP}service-child.mjs`, [JSON.stringify(options)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<{ wsUrl: string; apiUrl: string; kbId: string; apiKey: string }>((resolve, reject) => {
    child.on('message', (message: { ready?: never; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) return resolve(message.ready);
      const waiter = pending.get(message.id ?? -1);
      if (!waiter) return;
      pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
    child.once('exit', (code) => {
      reject(new Error(`service process exited with ${code}`));
      for (const waiter of pending.values()) waiter.reject(new Error(`service process exited with ${code}`));
      pending.clear();
    });
  });
  const info = await ready;
  const request = <T>(cmd: string, body: Record<string, unknown> = {}): Promise<T> => {
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, cmd, ...body });
    });
  };
  return {
    ...info,
    request,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        await Promise.race([request('close'), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      } catch {
        // exited already
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
