// One command: `node examples/chat/start.mjs` (or `corepack pnpm demo` from the root); either builds
// the packages first when they are missing or out of date. Starts a local Pulse service and the chat
// backend, prints the URL; Ctrl-C stops both. Set OPENKBS_KB_ID and OPENKBS_API_KEY (both) to use a
// real service instead of the local one (OPENKBS_API_URL then picks its HTTP API, default hosted).
// With the local service and a terminal (TTY), type `r` + Enter to restart it (pages show
// "Reconnecting…", then catch up), `s` to stop it, `g` to start it again.
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { ensureBuilt } from '../../scripts/lib/stale-packages.mjs';

const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
// Run directly (a fresh clone included): build the packages first when their dist/ is missing or
// stale, because the imports below load the built packages. Tests import this file from source.
if (isMain) {
  try {
    ensureBuilt();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
const { createPulseService } = await import('@openkbs-pulse/mock-server');
const { startChatServer } = await import('./server.mjs');

const RESTART_PAUSE_MS = 3000;
const DEFAULT_PORT = 3000;

/**
 * @param {{ port?: number, host?: string, log?: (line: string) => void, stdin?: NodeJS.ReadableStream & { isTTY?: boolean } }} [options]
 *   stdin: where the r/s/g commands are read (default process.stdin; only when it is a TTY)
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startChatDemo(options = {}) {
  const log = options.log ?? ((line) => console.log(line));
  const env = process.env;
  const hosted = env.OPENKBS_KB_ID && env.OPENKBS_API_KEY;
  const service = hosted ? undefined : await createPulseService({ port: Number(env.PULSE_PORT ?? 0) });
  const pulse = service
    ? { kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl }
    : { kbId: env.OPENKBS_KB_ID, apiKey: env.OPENKBS_API_KEY, apiUrl: env.OPENKBS_API_URL };
  const port = options.port ?? (env.PORT ? Number(env.PORT) : undefined);
  const chat = await startChatServer({ pulse, port: port ?? DEFAULT_PORT, host: options.host }).catch((error) => {
    // The default port is taken: any free one will do.
    if (port === undefined && error?.code === 'EADDRINUSE') return startChatServer({ pulse, port: 0, host: options.host });
    throw error;
  });

  log(service ? `local Pulse service: ${service.wsUrl} (kb ${service.kbId})` : `Pulse: ${pulse.apiUrl ?? 'hosted'} (kb ${pulse.kbId})`);
  log(`\n  Chat is running: open ${chat.url} in two browser tabs (add ?name=Ada to pick a name)`);
  // The local service's live console: who is connected, presence, every message and refusal.
  log(service?.inspectorUrl ? `  Pulse inspector: ${service.inspectorUrl}\n` : '');

  let commands;
  // The commands read the terminal: without one (a pipe, CI, a test) there are none to offer.
  if (service && (options.stdin ?? process.stdin).isTTY) {
    log('  r + Enter: restart the Pulse service   s: stop it   g: start it   Ctrl-C: quit\n');
    commands = createInterface({ input: options.stdin ?? process.stdin });
    commands.on('line', (line) => {
      const command = line.trim().toLowerCase();
      const act = async () => {
        if (command === 'r') {
          log('stopping the Pulse service…');
          await service.stop();
          log(`stopped; starting again in ${RESTART_PAUSE_MS / 1000} s`);
          await new Promise((resolve) => setTimeout(resolve, RESTART_PAUSE_MS));
          await service.start();
          log('Pulse service is back: pages reconnect and catch up');
        } else if (command === 's') {
          await service.stop();
          log('Pulse service stopped (g + Enter to start it)');
        } else if (command === 'g') {
          await service.start();
          log('Pulse service started');
        }
      };
      act().catch((error) => log(`command failed: ${error}`));
    });
  }

  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      commands?.close();
      await chat.close();
      await service?.close();
    })());
  return { url: chat.url, stop };
}

/** Runs until SIGINT/SIGTERM, then stops everything and exits. */
export async function runUntilInterrupted(start = startChatDemo) {
  const demo = await start();
  const shutdown = (signal) => {
    console.log(`\n${signal}: stopping…`);
    demo.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return demo;
}

if (isMain) {
  runUntilInterrupted().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
