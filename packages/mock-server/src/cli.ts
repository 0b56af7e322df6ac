/**
 * `pulse-local`: runs the local Pulse service until Ctrl-C.
 *
 *   pulse-local [--host 127.0.0.1] [--port 0] [--kb-id local-kb] [--api-key local-api-key] [--json] [--no-inspector]
 *
 * With `--json`, prints one line `{"wsUrl","apiUrl","kbId","apiKey"}` once ready; otherwise a banner.
 * @module
 */
import { parseArgs } from 'node:util';
import { isPulseError } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from './service.js';

const USAGE = `Usage: pulse-local [options]

Runs a local OpenKBS Elastic Pulse service (WebSocket + HTTP API) until Ctrl-C.

Options:
  --host <host>       interface to listen on (default 127.0.0.1)
  --port <port>       port, 0 = any free port (default 0)
  --kb-id <kbId>      knowledge base id (default local-kb)
  --api-key <key>     API key for the HTTP API (default local-api-key)
  --json              print one JSON line {"wsUrl","apiUrl","kbId","apiKey"} when ready
  --allowed-origins <list>
                      comma-separated browser origins allowed besides loopback ones,
                      e.g. https://app.example:8443 ('*' = any origin; see docs/security.md)
  --max-subscriptions <n>      channels per connection (default 1000)
  --max-presence <n>           presence sets per connection (default 100)
  --max-frames-per-second <n>  frames a connection may send per second (default 200)
  --max-frame-burst <n>        frames a connection may send at once (default 1000)
  --no-inspector      do not serve the inspector page (/_inspector)
  -h, --help          show this help
`;

/**
 * The whole number written in decimal digits in `text`, or `undefined`. Not `Number(text)`, which
 * reads '' and ' ' as 0 (so `--port="$PULSE_PORT"` with the variable unset would start on a random
 * port) and accepts hex and exponent spellings (`--port=0x50` is port 80).
 */
const decimal = (text: string): number | undefined => (/^\d+$/.test(text) ? Number(text) : undefined);

/** The flag of each service option a flag sets, to name it when the service refuses its value. */
const FLAG_OF_OPTION: ReadonlyMap<string, string> = new Map([
  ['host', '--host'],
  ['port', '--port'],
  ['kbId', '--kb-id'],
  ['apiKey', '--api-key'],
  ['allowedOrigins', '--allowed-origins'],
  ['maxSubscriptionsPerConnection', '--max-subscriptions'],
  ['maxPresencePerConnection', '--max-presence'],
  ['maxFramesPerSecond', '--max-frames-per-second'],
  ['maxFrameBurst', '--max-frame-burst'],
]);

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '0' },
        'kb-id': { type: 'string', default: 'local-kb' },
        'api-key': { type: 'string', default: 'local-api-key' },
        json: { type: 'boolean', default: false },
        'allowed-origins': { type: 'string' },
        'max-subscriptions': { type: 'string' },
        'max-presence': { type: 'string' },
        'max-frames-per-second': { type: 'string' },
        'max-frame-burst': { type: 'string' },
        'no-inspector': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`pulse-local: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  // Node listens on every interface for host '' ("::"), while the banner says 127.0.0.1: an unset
  // variable (`--host="$PULSE_HOST"`) must not expose the service on the LAN. 0.0.0.0 asks for that.
  if (values.host.trim() === '') {
    process.stderr.write(`pulse-local: --host must not be empty: leave it out for 127.0.0.1 (loopback only), or give 0.0.0.0 to listen on every interface\n`);
    return 2;
  }
  const port = decimal(values.port);
  if (port === undefined || port > 65535) {
    process.stderr.write(`pulse-local: --port must be an integer from 0 to 65535\n`);
    return 2;
  }

  const limits: Record<string, number | undefined> = {};
  for (const flag of ['max-subscriptions', 'max-presence', 'max-frames-per-second', 'max-frame-burst'] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    const value = decimal(text);
    if (value === undefined || !Number.isSafeInteger(value) || value < 1) {
      process.stderr.write(`pulse-local: --${flag} must be a positive integer (got ${text})\n`);
      return 2;
    }
    limits[flag] = value;
  }
  const allowedOrigins = values['allowed-origins']?.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');

  // Listen for signals before anything is printed, so a Ctrl-C right after the ready line is honoured.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  let service: PulseService;
  try {
    service = await createPulseService({
      host: values.host,
      port,
      kbId: values['kb-id'],
      apiKey: values['api-key'],
      allowedOrigins,
      maxSubscriptionsPerConnection: limits['max-subscriptions'],
      maxPresencePerConnection: limits['max-presence'],
      maxFramesPerSecond: limits['max-frames-per-second'],
      maxFrameBurst: limits['max-frame-burst'],
      inspector: !values['no-inspector'],
    });
  } catch (error) {
    // A flag value the service refuses is a usage error, told by its flag rather than the API
    // option its message names.
    if (!isPulseError(error) || error.code !== 'invalid_argument') throw error;
    const flag = FLAG_OF_OPTION.get(/^\w+/.exec(error.message)?.[0] ?? '');
    process.stderr.write(`pulse-local: ${flag ? `${flag}: ` : ''}${error.message}\n`);
    return 2;
  }
  const facts = { wsUrl: service.wsUrl, apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey };
  if (values.json) process.stdout.write(JSON.stringify(facts) + '\n');
  else {
    process.stdout.write(
      [
        'Local Pulse service ready',
        `  WebSocket  ${facts.wsUrl}`,
        `  HTTP API   ${facts.apiUrl}   (POST { action, kbId, apiKey, ... };  GET /stats)`,
        `  kbId       ${facts.kbId}`,
        `  apiKey     ${facts.apiKey}`,
        ...(service.inspectorUrl ? [`  Inspector  ${service.inspectorUrl}`] : []),
        '',
        `  OPENKBS_API_URL=${facts.apiUrl} OPENKBS_KB_ID=${facts.kbId} OPENKBS_API_KEY=${facts.apiKey}`,
        '',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  }

  await stopped;
  await service.close();
  if (!values.json) process.stdout.write('Local Pulse service stopped.\n');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pulse-local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
