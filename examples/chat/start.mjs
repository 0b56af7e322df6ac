// One command: `node examples/chat/start.mjs` (or `corepack pnpm demo` from the root, which builds
// the packages first). Starts a local Pulse service, unless OPENKBS_KB_ID / OPENKBS_API_KEY /
// OPENKBS_API_URL point to a real one, and the chat backend; prints the URL; Ctrl-C stops both.
// While it runs, type `r` + Enter to restart the local service (pages show "Reconnecting…", then
// catch up), `s` to stop it, `g` to start it again.
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { createPulseService } from '@openkbs-pulse/mock-server';
import { startChatServer } from './server.mjs';

const RESTART_PAUSE_MS = 3000;
const DEFAULT_PORT = 3000;

/**
 * @param {{ port?: number, host?: string, log?: (line: string) => void }} [options]
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
  log(`\n  Chat is running: open ${chat.url} in two browser tabs (add ?name=Ada to pick a name)\n`);
  if (service) log('  r + Enter: restart the Pulse service   s: stop it   g: start it   Ctrl-C: quit\n');

  let commands;
  if (service && process.stdin.isTTY) {
    commands = createInterface({ input: process.stdin });
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runUntilInterrupted().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
