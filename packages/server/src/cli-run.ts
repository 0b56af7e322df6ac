/**
 * The `openkbs-pulse` command line, as a function of its arguments and output streams so it
 * can be tested in-process; `cli.ts` is the bin that calls it. Mirrors `openkbs pulse ...`.
 * Exit codes: 0 ok; 1 the service or the network failed, or an unexpected (non-Pulse) error,
 * reported with code `unexpected_error`; 2 usage error (bad arguments or options, an option
 * another command takes, missing credentials, a publish the SDK rejected before sending).
 * @module
 */
import { parseArgs } from 'node:util';
import { isPulseError, isRegion, REGIONS, type ErrorCode } from '@openkbs-pulse/protocol';
import { createPulseClient, type PulseClient, type PulseClientOptions } from './client.js';
import { ENV_API_KEY, ENV_API_URL, ENV_KB_ID } from './config.js';
import { isPulseApiError, printable } from './errors.js';

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

/**
 * The `code` reported (in `--json` output and after the message) for a failure that is not a
 * `PulseError`: a bug, not something the service or the network said. Exit code 1.
 */
export const UNEXPECTED_ERROR = 'unexpected_error';

/** The `code` of a usage error (bad arguments or options) in `--json` output: nothing was sent. */
const USAGE_ERROR_CODE: ErrorCode = 'invalid_argument';

/** Codes that are usage errors when the SDK raised them before sending (no request went out). */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['invalid_argument', 'missing_credentials', 'message_too_large']);

/** The event name of `publish <channel> <message>` without --event (the tutorial's `publish <ch> "msg"`). */
export const DEFAULT_PUBLISH_EVENT = 'message';

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder of the value in help, e.g. `<id>`. */
  value?: string;
  description: string;
}

const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'kb-id': { type: 'string', value: '<id>', description: `Knowledge base id (env ${ENV_KB_ID})` },
  'api-key': { type: 'string', value: '<key>', description: `API key (env ${ENV_API_KEY})` },
  'api-url': { type: 'string', value: '<url>', description: `API base URL (env ${ENV_API_URL}, default https://kb.openkbs.com)` },
  json: { type: 'boolean', description: 'Print JSON for scripts' },
  help: { type: 'boolean', short: 'h', description: 'Show help' },
};

interface CommandSpec {
  usage: string;
  summary: string;
  /** Example lines shown by the command's --help: the command line, then what it does. */
  examples?: readonly (readonly [string, string])[];
  args: readonly string[];
  optionalArgs?: readonly string[];
  /** Options of this command only, besides the common ones. */
  options?: Readonly<Record<string, OptionSpec>>;
}

const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  status: { usage: 'status', summary: 'Show whether Pulse is enabled, its region, endpoint and counts', args: [] },
  channels: { usage: 'channels', summary: 'List active channels with subscriber and presence counts', args: [] },
  presence: { usage: 'presence <channel>', summary: 'Show the presence set of a channel', args: ['channel'] },
  publish: {
    usage: 'publish <channel> <message>',
    summary: `Publish a message as event "${DEFAULT_PUBLISH_EVENT}" (or --event); a JSON object is the data, other text { "text": ... }`,
    args: ['channel', 'message'],
    optionalArgs: ['message'],
    options: { event: { type: 'string', value: '<name>', description: `Event name (default "${DEFAULT_PUBLISH_EVENT}")` } },
    examples: [
      ['publish chat "Hello!"', `event "${DEFAULT_PUBLISH_EVENT}", data { "text": "Hello!" }`],
      [`publish posts '{"post":{"id":1}}' --event new_post`, 'event "new_post", data { "post": { "id": 1 } }'],
      [`publish posts new_post '{"post":{"id":1}}'`, 'the same, event as the second argument'],
    ],
  },
  token: {
    usage: 'token <userId> [--expires-in <s>]',
    summary: 'Mint a client token for a user',
    args: ['userId'],
    options: { 'expires-in': { type: 'string', value: '<s>', description: 'Token lifetime in seconds' } },
  },
  enable: {
    usage: 'enable [--region <region>]',
    summary: 'Enable Elastic Pulse',
    args: [],
    options: { region: { type: 'string', value: '<region>', description: REGIONS.join(' or ') } },
  },
  disable: { usage: 'disable', summary: 'Disable Elastic Pulse', args: [] },
};

/** The tutorial's CLI reference (`openkbs pulse ...`), shown by --help: every line works as is. */
const TUTORIAL_FORMS: readonly (readonly [string, string])[] = [
  ['enable', 'Enable Pulse'],
  ['status', 'Check status'],
  ['channels', 'List active channels'],
  ['presence <channel>', 'View presence'],
  ['publish <ch> "msg"', 'Publish message'],
  ['disable', 'Disable'],
];

/** Example lines, the command lines in one column. */
function examplesHelp(title: string, examples: readonly (readonly [string, string])[]): string {
  const width = Math.max(...examples.map(([line]) => line.length)) + 'openkbs-pulse '.length;
  return `${title}:\n${examples.map(([line, what]) => `  ${`openkbs-pulse ${line}`.padEnd(width)}  # ${what}\n`).join('')}`;
}

/** Every option any command takes (to find the command before the strict parse). */
const ALL_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.assign(
  {},
  COMMON_OPTIONS,
  ...Object.values(COMMANDS).map((command) => command.options ?? {}),
);

const EXIT_CODES_HELP = `Exit codes: 0 ok; 1 the service or the network failed (or an unexpected error, code ${UNEXPECTED_ERROR});
2 usage error: bad arguments or options, missing credentials, a publish rejected before sending.
`;

/** Option lines with the descriptions in one column. */
function optionsHelp(options: Readonly<Record<string, OptionSpec>>): string {
  const rows = Object.entries(options).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`,
    spec.description,
  ]);
  const width = Math.max(...rows.map(([left]) => (left as string).length));
  return rows.map(([left, description]) => `  ${(left as string).padEnd(width)}  ${description}\n`).join('');
}

function mainHelp(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`);
  return `Usage: openkbs-pulse <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n${examplesHelp("The tutorial's commands (openkbs pulse ...)", TUTORIAL_FORMS)}\nOptions:\n${optionsHelp(COMMON_OPTIONS)}\nopenkbs-pulse <command> --help shows the options of a command.\n${EXIT_CODES_HELP}`;
}

function commandHelp(spec: CommandSpec): string {
  const options = { ...(spec.options ?? {}), ...COMMON_OPTIONS };
  const examples = spec.examples ? `\n${examplesHelp('Examples', spec.examples)}` : '';
  return `Usage: openkbs-pulse ${spec.usage} [options]\n\n${spec.summary}.\n${examples}\nOptions:\n${optionsHelp(options)}\n${EXIT_CODES_HELP}`;
}

type ParseOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;
const parseOptions = (options: Readonly<Record<string, OptionSpec>>): ParseOptions =>
  Object.fromEntries(Object.entries(options).map(([name, { type, short }]) => [name, short ? { type, short } : { type }]));

/**
 * `text` for a terminal: every line {@link printable}, the line breaks kept. Output carries text
 * from the network (channel names, user ids, endpoints, member data), where an escape sequence
 * could clear the screen or forge lines; JSON stays valid (a C1 control becomes `\u009b`).
 */
const terminalText = (text: string): string => text.split('\n').map(printable).join('\n');

/** Renders rows as an aligned text table; cells are {@link printable} (one line each). */
export function formatTable(headers: readonly string[], cells: readonly (readonly string[])[]): string {
  const rows = cells.map((row) => row.map(printable));
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

class UsageError extends Error {}

/** A JSON string (skipped, so digits inside one are not taken for a number) or a JSON number. */
const JSON_STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * The first integer written in valid JSON `text` that JSON.parse cannot hold exactly (an order or
 * snowflake id beyond 2^53), as written, or `undefined`. Infinite ones are left to the SDK's rule.
 */
export function inexactInteger(text: string): string | undefined {
  for (const [token] of text.matchAll(JSON_STRING_OR_NUMBER)) {
    const exact = exactInteger(token);
    if (exact === undefined) continue;
    const value = Number(token);
    if (Number.isFinite(value) && BigInt(value) !== exact) return token;
  }
  return undefined;
}

const JSON_NUMBER_PARTS = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * The exact value of a JSON number token when it is an integer, however written
 * (12345678901234567891e0, 9007199254740993.0, 1.2345678901234567891e19), else `undefined` (a
 * fraction such as 0.1, or a value too large for a JSON number, which the SDK's rule refuses).
 */
function exactInteger(token: string): bigint | undefined {
  const parts = JSON_NUMBER_PARTS.exec(token);
  if (!parts) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = parts;
  let digits = (whole + fraction).replace(/^0+(?=\d)/, '');
  if (/^0+$/.test(digits)) return 0n;
  let scale = Number(exponent) - fraction.length;
  if (scale < 0) {
    // An integer only when every digit past the point is a zero.
    if (-scale >= digits.length || /[^0]/.test(digits.slice(scale))) return undefined;
    digits = digits.slice(0, scale);
    scale = 0;
  }
  // Past 1e309 it is Infinity as a number: left to the SDK's rule (no huge BigInt is built).
  if (digits.length + scale > 400) return undefined;
  return BigInt(sign + digits) * 10n ** BigInt(scale);
}

/**
 * Publish data from the command line: a JSON object as is, anything else as `{ text }`.
 * @throws UsageError for a JSON object holding an integer its parse would round: it would be sent
 * changed without a word (12345678901234567890 as 12345678901234567000).
 */
export function parsePublishData(raw: string | undefined): object | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { text: raw };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { text: raw };
  const integer = inexactInteger(raw);
  if (integer !== undefined) {
    throw new UsageError(
      `the message holds the integer ${integer}, which a JSON number cannot hold exactly (it would be sent as ${Number(integer)}): quote it as a string ("${integer}")`,
    );
  }
  return value;
}

const iso = (ms: number | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : '');

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // A lenient pass finds the command; the strict pass then allows only that command's options.
  const lenient = parseArgs({ args: [...argv], allowPositionals: true, strict: false, options: parseOptions(ALL_OPTIONS) });
  const first = lenient.positionals[0];
  const spec = first !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, first) ? COMMANDS[first] : undefined;
  const allowed = { ...COMMON_OPTIONS, ...(spec?.options ?? {}) };
  // Read from the lenient pass: --json applies to errors in the arguments themselves too.
  const jsonErrors = lenient.values.json === true;
  const usageError = (problem: string): number => {
    const command = spec ? `openkbs-pulse ${first}` : 'openkbs-pulse';
    if (jsonErrors) io.stderr(printable(JSON.stringify({ error: `${problem} (see ${command} --help)`, code: USAGE_ERROR_CODE })) + '\n');
    else io.stderr(`${command}: ${printable(problem)}\n\n${spec ? commandHelp(spec) : mainHelp()}`);
    return EXIT.usage;
  };
  if (spec) {
    const misplaced = Object.keys(lenient.values).filter((name) => name in ALL_OPTIONS && !(name in allowed));
    if (misplaced.length > 0) {
      return usageError(`${misplaced.map((name) => `--${name}`).join(', ')} does not apply to ${first}`);
    }
  }
  let values: { [name: string]: string | boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: parseOptions(allowed) }));
  } catch (error) {
    // Node's message goes on about '--' for positionals; its first sentence is the point.
    return usageError((error instanceof Error ? error.message : String(error)).split('. To specify')[0] ?? '');
  }
  const option = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const json = values.json === true;
  const [name, ...rest] = positionals;
  if (name === undefined || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const topicSpec = topic !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, topic) ? COMMANDS[topic] : undefined;
    if (topicSpec) {
      io.stdout(commandHelp(topicSpec));
      return EXIT.ok;
    }
    if (topic !== undefined) return usageError(`unknown command "${topic}"`);
    if (values.help === true || name === 'help') {
      io.stdout(mainHelp());
      return EXIT.ok;
    }
    if (jsonErrors) return usageError('no command given');
    io.stderr(mainHelp());
    return EXIT.usage;
  }
  if (!spec) return usageError(`unknown command "${name}"`);
  if (values.help === true) {
    io.stdout(commandHelp(spec));
    return EXIT.ok;
  }
  const max = spec.args.length + (spec.optionalArgs?.length ?? 0);
  if (rest.length < spec.args.length || rest.length > max) {
    const missing = spec.args.slice(rest.length).map((arg) => `<${arg}>`);
    return usageError(missing.length > 0 ? `missing ${missing.join(' ')}` : 'too many arguments');
  }

  const env = io.env ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const client: PulseClient = createPulseClient({
    ...io.clientOptions,
    env: () => env,
    kbId: option('kb-id') ?? io.clientOptions?.kbId,
    apiKey: option('api-key') ?? io.clientOptions?.apiKey,
    apiUrl: option('api-url') ?? io.clientOptions?.apiUrl,
  });
  const out = (human: string, value: unknown) => io.stdout(terminalText(json ? JSON.stringify(value, null, 2) + '\n' : human));
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
        // publish <channel> <message> [--event e], or publish <channel> <event> <message>.
        const [channel, second, third] = rest as [string, string, string | undefined];
        if (third !== undefined && option('event') !== undefined) {
          throw new UsageError('give the event name either with --event or as the second argument, not both');
        }
        const event = third === undefined ? (option('event') ?? DEFAULT_PUBLISH_EVENT) : second;
        const raw = third ?? second;
        const result = await client.publish(channel, event, parsePublishData(raw));
        out(`Published ${event} to ${channel}: delivered to ${result.delivered} connection${result.delivered === 1 ? '' : 's'}.\n`, result);
        break;
      }
      case 'token': {
        const raw = option('expires-in');
        // A number in decimal notation (as pulse-local reads its numbers): Number() would take '',
        // ' 60 ', '0x3c' and '1e3'. Its range (whole seconds from 1) is getToken's rule alone (the
        // protocol's tokenRequestProblem), so -5 or 0.5 are refused in getToken's words.
        const expiresIn = raw === undefined ? undefined : /^-?\d+(?:\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
        if (Number.isNaN(expiresIn)) throw new UsageError('--expires-in must be a number of seconds');
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
        const region = option('region');
        if (region !== undefined && !isRegion(region)) throw new UsageError(`--region must be ${REGIONS.join(' or ')}`);
        const result = name === 'enable' ? await client.enable({ region }) : await client.disable();
        out(`Elastic Pulse is ${result.enabled ? 'enabled' : 'disabled'} (${result.region}, ${result.endpoint}).\n`, result);
        break;
      }
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    // A PulseApiError means a request went out: whatever the service (or network) said is an
    // API error, exit 1, even message_too_large. Usage codes raised before sending exit 2.
    const code: string = isPulseError(error) ? error.code : UNEXPECTED_ERROR;
    const message = error instanceof Error ? error.message : String(error);
    // One line per error, escapes shown: the message can quote the service's (or a proxy's) text.
    io.stderr(printable(json ? JSON.stringify({ error: message, code }) : `openkbs-pulse ${name}: ${message} [${code}]`) + '\n');
    if (code === 'missing_credentials' && !json) io.stderr('Pass --kb-id and --api-key, or set them in the environment.\n');
    const beforeSending = isPulseError(error) && !isPulseApiError(error) && USAGE_CODES.has(error.code);
    return beforeSending ? EXIT.usage : EXIT.apiError;
  } finally {
    await client.close();
  }
}
