/**
 * The `openkbs-pulse` command line, as a function of its arguments and output streams so it
 * can be tested in-process; `cli.ts` is the bin that calls it. Mirrors `openkbs pulse ...`.
 * Exit codes: 0 ok, 1 API/network error, 2 usage error (bad arguments, missing credentials).
 * @module
 */
import { parseArgs } from 'node:util';
import { isPulseError, isRegion, REGIONS, type ErrorCode } from '@openkbs-pulse/protocol';
import { createPulseClient, type PulseClient, type PulseClientOptions } from './client.js';
import { ENV_API_KEY, ENV_API_URL, ENV_KB_ID } from './config.js';

/** Where the CLI writes and what it reads. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Environment variables. @default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Extra client options (tests pass a fetch transport). */
  clientOptions?: PulseClientOptions | undefined;
}

/** Exit codes. */
export const EXIT = Object.freeze({ ok: 0, apiError: 1, usage: 2 });

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['invalid_argument', 'missing_credentials', 'message_too_large']);

interface CommandSpec {
  usage: string;
  summary: string;
  args: readonly string[];
  optionalArgs?: readonly string[];
  extraFlags?: string;
}

const COMMANDS: Record<string, CommandSpec> = {
  status: { usage: 'status', summary: 'Show whether Pulse is enabled, its region, endpoint and counts', args: [] },
  channels: { usage: 'channels', summary: 'List active channels with subscriber and presence counts', args: [] },
  presence: { usage: 'presence <channel>', summary: 'Show the presence set of a channel', args: ['channel'] },
  publish: {
    usage: 'publish <channel> <event> [json|text]',
    summary: 'Publish an event; a JSON object is sent as data, any other text as { "text": ... }',
    args: ['channel', 'event'],
    optionalArgs: ['data'],
  },
  token: {
    usage: 'token <userId>',
    summary: 'Mint a client token for a user',
    args: ['userId'],
    extraFlags: '  --expires-in <s>  Token lifetime in seconds\n',
  },
  enable: {
    usage: 'enable [--region <region>]',
    summary: 'Enable Elastic Pulse',
    args: [],
    extraFlags: `  --region <region>  ${REGIONS.join(' or ')}\n`,
  },
  disable: { usage: 'disable', summary: 'Disable Elastic Pulse', args: [] },
};

const COMMON_FLAGS = `Options:
  --kb-id <id>       Knowledge base id (env ${ENV_KB_ID})
  --api-key <key>    API key (env ${ENV_API_KEY})
  --api-url <url>    API base URL (env ${ENV_API_URL}, default https://kb.openkbs.com)
  --json             Print JSON for scripts
  -h, --help         Show help
`;

function mainHelp(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return `Usage: openkbs-pulse <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n${COMMON_FLAGS}\nExit codes: 0 ok, 1 API error, 2 usage error.\n`;
}

function commandHelp(spec: CommandSpec): string {
  return `Usage: openkbs-pulse ${spec.usage} [options]\n\n${spec.summary}.\n\n${COMMON_FLAGS}${spec.extraFlags ?? ''}`;
}

/** Renders rows as an aligned text table. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** Publish data from the command line: a JSON object as is, anything else as `{ text }`. */
export function parsePublishData(raw: string | undefined): object | undefined {
  if (raw === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {
    // Plain text.
  }
  return { text: raw };
}

const iso = (ms: number | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : '');

class UsageError extends Error {}

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'kb-id': { type: 'string' },
        'api-key': { type: 'string' },
        'api-url': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        region: { type: 'string' },
        'expires-in': { type: 'string' },
      },
    });
  } catch (error) {
    io.stderr(`openkbs-pulse: ${error instanceof Error ? error.message : String(error)}\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (name === undefined || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const spec = topic === undefined ? undefined : COMMANDS[topic];
    if (spec && topic) {
      io.stdout(commandHelp(spec));
      return EXIT.ok;
    }
    if (values.help || name === 'help') {
      io.stdout(mainHelp());
      return EXIT.ok;
    }
    io.stderr(mainHelp());
    return EXIT.usage;
  }
  const spec = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!spec) {
    io.stderr(`openkbs-pulse: unknown command "${name}"\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(commandHelp(spec));
    return EXIT.ok;
  }
  const max = spec.args.length + (spec.optionalArgs?.length ?? 0);
  if (rest.length < spec.args.length || rest.length > max) {
    const missing = spec.args.slice(rest.length).map((arg) => `<${arg}>`);
    const problem = missing.length > 0 ? `missing ${missing.join(' ')}` : 'too many arguments';
    io.stderr(`openkbs-pulse ${name}: ${problem}\n\n${commandHelp(spec)}`);
    return EXIT.usage;
  }

  const env = io.env ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const client: PulseClient = createPulseClient({
    ...io.clientOptions,
    env: () => env,
    kbId: values['kb-id'] ?? io.clientOptions?.kbId,
    apiKey: values['api-key'] ?? io.clientOptions?.apiKey,
    apiUrl: values['api-url'] ?? io.clientOptions?.apiUrl,
  });
  const out = (human: string, json: unknown) => io.stdout(values.json ? JSON.stringify(json, null, 2) + '\n' : human);
  try {
    switch (name) {
      case 'status': {
        const s = await client.status();
        const rows: [string, string][] = [
          ['enabled', String(s.enabled)],
          ['region', s.region],
          ['endpoint', s.endpoint],
          ['connections', String(s.connections)],
          ['channels', String(s.channels)],
        ];
        out(formatTable(['FIELD', 'VALUE'], rows), s);
        break;
      }
      case 'channels': {
        const result = await client.channels();
        const rows = result.channels.map((c) => [c.channel, String(c.subscribers), String(c.presence)]);
        out(result.channels.length === 0 ? 'No active channels.\n' : formatTable(['CHANNEL', 'SUBSCRIBERS', 'PRESENCE'], rows), result);
        break;
      }
      case 'presence': {
        const channel = rest[0] as string;
        const result = await client.presence(channel);
        const rows = result.members.map((m) => [m.userId, m.connectionId, iso(m.connectedAt), m.data === undefined ? '' : JSON.stringify(m.data)]);
        const header = `${result.count} member${result.count === 1 ? '' : 's'} in ${channel}${result.members.length < result.count ? ` (${result.members.length} listed)` : ''}\n`;
        out(rows.length === 0 ? header : header + formatTable(['USER', 'CONNECTION', 'CONNECTED AT', 'DATA'], rows), result);
        break;
      }
      case 'publish': {
        const [channel, event, raw] = rest as [string, string, string | undefined];
        const result = await client.publish(channel, event, parsePublishData(raw));
        out(`Published ${event} to ${channel}: delivered to ${result.delivered} connection${result.delivered === 1 ? '' : 's'}.\n`, result);
        break;
      }
      case 'token': {
        const raw = values['expires-in'];
        const expiresIn = raw === undefined ? undefined : Number(raw);
        if (expiresIn !== undefined && !(Number.isFinite(expiresIn) && expiresIn > 0)) throw new UsageError('--expires-in must be a positive number of seconds');
        const result = await client.getToken(rest[0] as string, { expiresIn });
        out(
          formatTable(['FIELD', 'VALUE'], [
            ['token', result.token],
            ['endpoint', result.endpoint],
            ['region', result.region],
            ['expiresIn', `${result.expiresIn} s`],
          ]),
          result,
        );
        break;
      }
      case 'enable':
      case 'disable': {
        const region = values.region;
        if (name === 'disable' && region !== undefined) throw new UsageError('--region applies to enable only');
        if (region !== undefined && !isRegion(region)) throw new UsageError(`--region must be ${REGIONS.join(' or ')}`);
        const result = name === 'enable' ? await client.enable({ region }) : await client.disable();
        out(`Elastic Pulse is ${result.enabled ? 'enabled' : 'disabled'} (${result.region}, ${result.endpoint}).\n`, result);
        break;
      }
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`openkbs-pulse ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    const code = isPulseError(error) ? error.code : undefined;
    const message = error instanceof Error ? error.message : String(error);
    if (values.json) io.stderr(JSON.stringify({ error: message, code: code ?? 'server_error' }) + '\n');
    else io.stderr(`openkbs-pulse ${name}: ${message}${code ? ` [${code}]` : ''}\n`);
    if (code === 'missing_credentials' && !values.json) io.stderr('Pass --kb-id and --api-key, or set them in the environment.\n');
    return code !== undefined && USAGE_CODES.has(code) ? EXIT.usage : EXIT.apiError;
  } finally {
    await client.close();
  }
}
