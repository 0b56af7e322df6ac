// examples/chat/start.mjs: the demo's restart commands are offered only where they can be typed
// (a terminal), and the script builds the packages itself when run directly.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error the example launcher is plain JavaScript
import { startChatDemo } from '../start.mjs';

const HELP = /r \+ Enter/;
let demo: { url: string; stop(): Promise<void> } | undefined;

afterEach(async () => {
  await demo?.stop();
  demo = undefined;
  onLine = undefined;
  vi.unstubAllEnvs();
});

let onLine: ((line: string) => void) | undefined;

function start(stdin: PassThrough & { isTTY?: boolean }): Promise<string[]> {
  // The local service, whatever the developer's shell exports.
  vi.stubEnv('OPENKBS_KB_ID', '');
  vi.stubEnv('OPENKBS_API_KEY', '');
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    onLine?.(line);
  };
  return startChatDemo({ port: 0, host: '127.0.0.1', log, stdin }).then((started: typeof demo) => ((demo = started), lines));
}

const nextLine = (pattern: RegExp) =>
  new Promise<string>((resolve) => (onLine = (line) => pattern.test(line) && resolve(line)));

describe('chat start.mjs', () => {
  it('prints no "r + Enter" help without a terminal (the commands are not read then)', async () => {
    const lines = await start(new PassThrough());
    expect(lines.join('\n')).toMatch(/Chat is running: open http:\/\/127\.0\.0\.1:\d+/);
    expect(lines.join('\n')).not.toMatch(HELP);
  });

  it('prints the help and obeys the commands on a terminal', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const lines = await start(stdin);
    expect(lines.join('\n')).toMatch(HELP);
    const stopped = nextLine(/Pulse service stopped/);
    stdin.write('s\n');
    expect(await stopped).toContain('g + Enter to start it');
  });
});
