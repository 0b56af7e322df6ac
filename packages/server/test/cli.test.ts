// The CLI in-process (runCli) against msw: parsing, tables, --json, exit codes, --help.
// cli.int.test.ts runs the built bin against the local service.
import { HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PulseClientOptions } from '../src/client.js';
import { DEFAULT_PUBLISH_EVENT, formatTable, parsePublishData } from '../src/cli-run.js';
import { API_KEY, API_URL, answerWith, CLI_ENV, onApi, PUBLISH_RESPONSE, runCliCaptured, server, tokenResponseFor } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ENV = CLI_ENV;
const run = runCliCaptured;

describe('openkbs-pulse (in-process)', () => {
  it('status prints a table, --json prints the object', async () => {
    const status = { enabled: true, region: 'us-east-1', endpoint: 'ws://127.0.0.1:9', connections: 4, channels: 2 };
    const received = answerWith(status);
    const human = await run(['status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^FIELD\s+VALUE\n-+\s+-+\nenabled\s+true\n/);
    expect(human.stdout).toContain('connections  4');
    const json = await run(['status', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(status);
    expect(received[0]).toEqual({ action: 'pulseStatus', kbId: 'kb-cli', apiKey: API_KEY });
  });

  it('flags override env credentials', async () => {
    const received = answerWith({ channels: [] });
    const result = await run(['channels', '--kb-id', 'kb-flag', '--api-key', 'key-flag', '--api-url', API_URL], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('No active channels.\n');
    expect(received[0]).toEqual({ action: 'pulseChannels', kbId: 'kb-flag', apiKey: 'key-flag' });
  });

  it('publish sends JSON objects as data and anything else as { text }', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    expect((await run(['publish', 'chat', 'msg', '{"a":1}'])).stdout).toBe('Published msg to chat: delivered to 3 connections.\n');
    await run(['publish', 'chat', 'msg', 'hello world']);
    expect(received.map((b) => [b.event, b.data])).toEqual([
      ['msg', { a: 1 }],
      ['msg', { text: 'hello world' }],
    ]);
  });

  it('publish <channel> "msg" (the tutorial\'s form) publishes the message as data under the event "message"', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    expect((await run(['publish', 'chat', 'msg'])).stdout).toBe(`Published ${DEFAULT_PUBLISH_EVENT} to chat: delivered to 3 connections.\n`);
    await run(['publish', 'posts', '{"post":{"id":1}}', '--event', 'new_post']);
    expect(received.map((b) => [b.channel, b.event, b.data])).toEqual([
      ['chat', 'message', { text: 'msg' }],
      ['posts', 'new_post', { post: { id: 1 } }],
    ]);
  });

  it('publish: --event and an event argument together are a usage error, nothing sent', async () => {
    const received = answerWith(PUBLISH_RESPONSE);
    const result = await run(['publish', 'chat', 'e', 'text', '--event', 'other']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('either with --event or as the second argument');
    expect(received).toEqual([]);
  });

  it("--help shows the tutorial's forms; publish --help its examples", async () => {
    const main = await run(['--help']);
    for (const line of ['enable', 'status', 'channels', 'presence <channel>', 'publish <ch> "msg"', 'disable']) {
      expect(main.stdout).toContain(`openkbs-pulse ${line} `);
    }
    const publish = await run(['publish', '--help']);
    expect(publish.stdout).toContain('Usage: openkbs-pulse publish <channel> <message> [options]');
    expect(publish.stdout).toContain('openkbs-pulse publish chat "Hello!"');
    expect(publish.stdout).toMatch(/--event <name>\s+Event name \(default "message"\)/);
  });

  it('presence and token render tables', async () => {
    onApi((body) =>
      body.action === 'pulsePresence'
        ? HttpResponse.json({ count: 1, members: [{ userId: 'alice', connectionId: 'c1', connectedAt: 0, data: { n: 1 } }] })
        : HttpResponse.json(tokenResponseFor(body)),
    );
    const presence = await run(['presence', 'room']);
    expect(presence.stdout).toContain('1 member in room');
    expect(presence.stdout).toMatch(/alice\s+c1\s+1970-01-01T00:00:00.000Z\s+\{"n":1\}/);
    const token = await run(['token', 'alice', '--expires-in', '60']);
    expect(token.stdout).toMatch(new RegExp(`token\\s+${tokenResponseFor({ kbId: CLI_ENV.OPENKBS_KB_ID, userId: 'alice' }).token}`));
  });

  it('exit 1 on API errors, with the code and without the key', async () => {
    answerWith({ error: `bad key ${API_KEY}`, code: 'invalid_api_key' }, 401);
    const human = await run(['status']);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('[invalid_api_key]');
    expect(human.stderr).not.toContain(API_KEY);
    const json = await run(['status', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ code: 'invalid_api_key' });
  });

  it.each([
    [[], 'Usage: openkbs-pulse <command>'],
    [['nope'], 'unknown command "nope"'],
    [['presence'], 'missing <channel>'],
    [['publish', 'c'], 'missing <message>'],
    [['publish', 'c', 'e', 'd', 'extra'], 'too many arguments'],
    [['status', '--bogus'], "Unknown option '--bogus'"],
    [['enable', '--region', 'mars'], '--region must be'],
    [['token', 'u', '--expires-in', 'x'], '--expires-in'],
  ])('exit 2 on usage errors: %j', async (argv, text) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(text);
  });

  it('exit 2 when credentials are missing, naming flag-free remedies', async () => {
    const result = await run(['status'], { OPENKBS_API_URL: API_URL });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('OPENKBS_KB_ID');
  });

  it('--help for the tool and for each command, exit 0', async () => {
    const main = await run(['--help']);
    expect(main.code).toBe(0);
    for (const command of ['status', 'channels', 'presence', 'publish', 'token', 'enable', 'disable']) {
      expect(main.stdout).toContain(`  ${command}`);
      const help = await run([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: openkbs-pulse ${command}`);
      expect((await run(['help', command])).stdout).toBe(help.stdout);
    }
  });
});

describe('options per command', () => {
  const COMMANDS = ['status', 'channels', 'presence', 'publish', 'token', 'enable', 'disable'];

  it.each([
    [['status', '--region', 'eu-central-1'], 'status', '--region does not apply to status'],
    [['channels', '--expires-in', '5'], 'channels', '--expires-in does not apply to channels'],
    [['disable', '--region', 'us-east-1'], 'disable', '--region does not apply to disable'],
    [['presence', 'room', '--expires-in', '5'], 'presence', '--expires-in does not apply to presence'],
    [['token', 'u', '--region', 'us-east-1'], 'token', '--region does not apply to token'],
    [['status', '--bogus'], 'status', "Unknown option '--bogus'"],
    [['publish', 'c', 'e', '--kb-id'], 'publish', "Option '--kb-id <value>' argument missing"],
  ])('%j exits 2 with the command help, not the main help', async (argv, command, problem) => {
    const received = answerWith({ enabled: true });
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`openkbs-pulse ${command}: ${problem}`);
    expect(result.stderr).toContain(`Usage: openkbs-pulse ${command}`);
    expect(result.stderr).not.toContain('Commands:');
    expect(received).toEqual([]);
  });

  it('an unknown option before any command gets the main help', async () => {
    const result = await run(['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
    expect(result.stderr).toContain('Commands:');
  });

  it('each command help lists its own options and only them', async () => {
    const token = (await run(['token', '--help'])).stdout;
    expect(token).toContain('--expires-in <s>');
    expect(token).not.toContain('--region');
    const enable = (await run(['enable', '--help'])).stdout;
    expect(enable).toContain('--region <region>');
    expect(enable).not.toContain('--expires-in');
    const status = (await run(['status', '--help'])).stdout;
    expect(status).not.toMatch(/--region|--expires-in/);
  });

  it('help columns are aligned: every option description starts in one column', async () => {
    for (const argv of [['--help'], ...COMMANDS.map((command) => [command, '--help'])]) {
      const help = (await run(argv)).stdout;
      const block = help.slice(help.indexOf('Options:\n') + 'Options:\n'.length).split('\n\n')[0] ?? '';
      const lines = block.split('\n').filter((line) => line.startsWith('  -'));
      expect(lines.length).toBeGreaterThanOrEqual(5);
      const columns = new Set(lines.map((line) => /^ {2}\S.*?\S {2,}(?=\S)/.exec(line)?.[0].length));
      expect(columns.size, `${argv.join(' ')}:\n${block}`).toBe(1);
    }
  });
});

describe('exit codes and error codes', () => {
  it('a 413 message_too_large the service returned is an API error: exit 1', async () => {
    answerWith({ error: 'frame over 32768 bytes', code: 'message_too_large' }, 413);
    const result = await run(['publish', 'chat', 'msg', '{"a":1}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[message_too_large]');
  });

  it('a publish the SDK rejects before sending is a usage error: exit 2, nothing sent', async () => {
    const received = answerWith({ delivered: 1, timestamp: 1 });
    const result = await run(['publish', 'chat', 'msg', JSON.stringify({ text: 'x'.repeat(40_000) })]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[message_too_large]');
    expect(received).toEqual([]);
  });

  it('a network failure reports network_error, exit 1', async () => {
    const result = await run(['status', '--json'], ENV, {
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr)).toMatchObject({ code: 'network_error' });
  });

  it('an error that is not a PulseError is reported as unexpected_error (not server_error), exit 1', async () => {
    answerWith({ error: 'busy' }, 503);
    const options: PulseClientOptions = {
      retries: 1,
      sleep: async () => {},
      onRetry: () => {
        throw new RangeError('hook broke');
      },
    };
    const json = await run(['status', '--json'], ENV, options);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toEqual({ error: 'hook broke', code: 'unexpected_error' });
    const human = await run(['status'], ENV, options);
    expect(human.code).toBe(1);
    expect(human.stderr).toBe('openkbs-pulse status: hook broke [unexpected_error]\n');
  });
});

describe('helpers', () => {
  it('formatTable aligns columns', () => {
    expect(formatTable(['A', 'BB'], [['xxx', 'y']])).toBe('A    BB\n---  --\nxxx  y\n');
  });
  it('parsePublishData', () => {
    expect(parsePublishData('{"x":1}')).toEqual({ x: 1 });
    expect(parsePublishData('[1]')).toEqual({ text: '[1]' });
    expect(parsePublishData('42')).toEqual({ text: '42' });
    expect(parsePublishData(undefined)).toBeUndefined();
  });
});
