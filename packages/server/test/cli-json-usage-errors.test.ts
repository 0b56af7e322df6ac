// An outside review found: with --json, usage errors (`token alice --expires-in soon --json`,
// `enable --region mars --json`, an event given twice) printed human help text on stderr, while a
// publish the SDK refused before sending printed { error, code }: the same exit code 2 came with two
// stderr formats, contrary to the README ("with --json as { error, code }").
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured as run, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('--json makes every error machine-readable', () => {
  it.each([
    [['token', 'alice', '--expires-in', 'soon', '--json']],
    [['enable', '--region', 'mars', '--json']],
    [['publish', 'c', 'e', '{}', '--event', 'x', '--json']],
    [['presence', '--json']],
    [['status', '--region', 'us-east-1', '--json']],
    [['status', '--nope', '--json']],
    [['frobnicate', '--json']],
    [['--json']],
  ])('usage error %j: stderr is one JSON object { error, code: invalid_argument }, exit 2, nothing on stdout', async (argv) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n'), result.stderr.slice(0, 120)).toHaveLength(1);
    expect(JSON.parse(result.stderr)).toEqual({ code: 'invalid_argument', error: expect.stringContaining('--help') });
  });

  it('a publish the SDK refuses before sending is the same format', async () => {
    const result = await run(['publish', 'c', 'e', '{"type":"other"}', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toMatchObject({ code: 'invalid_argument' });
  });

  it('without --json, a usage error is still the message and the help text', async () => {
    const result = await run(['enable', '--region', 'mars']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^openkbs-pulse enable: --region must be .*\n\nUsage: openkbs-pulse enable/);
  });
});
