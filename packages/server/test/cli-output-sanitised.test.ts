// An outside review found: the CLI printed text it got from the network raw: an error body such as
// {"error":"bad\n\u001b[32mopenkbs-pulse status: ok"} or a proxy's 502 page with escape sequences
// reached the terminal (spoofed output, a retitled or cleared screen) and broke the one-line
// `message [code]` format scripts rely on. Control characters are now shown escaped everywhere
// the CLI prints.
import { HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerWith, onApi, runCliCaptured as run, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// C0 (but \n, which separates lines), DEL, C1 (\u009b is a one-character CSI) and the bidi overrides.
// eslint-disable-next-line no-control-regex -- the control characters are what is looked for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const show = (text: string) => JSON.stringify(text);

describe('the CLI never prints control sequences it got from the network', () => {
  it('an error body with an ANSI escape and a newline: stderr is one line, the escapes shown', async () => {
    answerWith({ error: 'bad request\n\u001b[32mopenkbs-pulse status: ok\u001b[0m', code: 'invalid_message' }, 400);
    const result = await run(['status']);
    expect(result.code).toBe(1);
    expect(CONTROL.test(result.stderr), show(result.stderr)).toBe(false);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('bad request\\n\\u001b[32mopenkbs-pulse status: ok');
  });

  it('a non-JSON 502 page from a proxy with escape sequences: no ESC reaches the terminal, also with --json', async () => {
    onApi(() => new HttpResponse('<html>\u001b]0;owned\u0007\u001b[2J\u009b2JBad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    for (const argv of [['channels'], ['channels', '--json']]) {
      const result = await run(argv);
      expect(result.code).toBe(1);
      expect(CONTROL.test(result.stderr), show(result.stderr)).toBe(false);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    const json = await run(['channels', '--json']);
    expect(JSON.parse(json.stderr).error).toContain('\u001b]0;owned\u0007\u001b[2J\u009b2JBad gateway');
  });

  it('presence members with escapes in userId and data: the table shows them escaped, one row each', async () => {
    const members = [
      { userId: 'eve\u001b[2J\u001b[1;1Hfake', connectionId: 'c-1', connectedAt: 1, data: { note: 'x\u009b31m' } },
      { userId: 'mallory\nforged row', connectionId: 'c-2\u202e', connectedAt: 2 },
    ];
    answerWith({ count: 2, members });
    const result = await run(['presence', 'chat']);
    expect(result.code).toBe(0);
    expect(CONTROL.test(result.stdout), show(result.stdout)).toBe(false);
    // The header, the table's two header lines and one line per member.
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(5);
    expect(result.stdout).toContain('eve\\u001b[2J\\u001b[1;1Hfake');
  });

  it('status with an escape in the endpoint; --json output stays valid JSON of the same value', async () => {
    // In the path: an endpoint must be a ws(s):// URL, whose host cannot hold control characters.
    const status = { enabled: true, region: 'us-east-1', endpoint: 'wss://x/\u001b]0;t\u0007\u009b', connections: 0, channels: 0 };
    answerWith(status);
    const human = await run(['status']);
    expect(CONTROL.test(human.stdout), show(human.stdout)).toBe(false);
    const json = await run(['status', '--json']);
    expect(CONTROL.test(json.stdout), show(json.stdout)).toBe(false);
    expect(JSON.parse(json.stdout)).toEqual(status);
  });
});
