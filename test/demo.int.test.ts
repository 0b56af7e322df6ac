// The README's demo command end to end: `node scripts/demo.mjs` (what `corepack pnpm demo` runs)
// starts the local service and the chat backend, prints the URL, serves a page that can get a
// token and post a message, and stops cleanly on Ctrl-C (SIGINT) with exit code 0.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '../test-helpers/ws.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let demo: ChildProcessWithoutNullStreams | undefined;

afterEach(() => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  demo = undefined;
});

function waitForLine(child: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`demo exited with ${code} before printing its URL:\n${output}`)));
  });
}

describe('corepack pnpm demo', () => {
  it('serves the chat, delivers a message over Pulse, and stops on SIGINT with exit 0', async () => {
    // PORT=0: any free port, so the test does not collide with a demo a developer has open.
    demo = spawn(process.execPath, ['scripts/demo.mjs'], { cwd: root, env: { ...process.env, PORT: '0' } });
    const [, url, inspectorUrl] = await waitForLine(demo, /open (http:\/\/\S+) in two browser tabs.*\n\s*Pulse inspector: (http:\/\/\S+)/, 120_000);
    // The local service's inspector is printed beside the chat and serves its page.
    expect(await (await fetch(inspectorUrl!)).text()).toContain('<title>Pulse inspector</title>');

    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Pulse chat</title>');
    expect((await fetch(`${url}/app.js`)).status).toBe(200);

    const post = (path: string, body: object) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const session = (await (await post('/api/token', { name: 'Ada' })).json()) as { token: string; endpoint: string; kbId: string; userId: string };
    expect(session.token.split('.')).toHaveLength(3);

    // A raw socket with the page's token receives what the backend publishes.
    const socket = new WebSocket(`${session.endpoint}?kbId=${encodeURIComponent(session.kbId)}&token=${session.token}&channel=chat`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const received = new Promise<{ channel: string; data: { type: string; text: string } }>((resolve) =>
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type === 'message') resolve(frame);
      }),
    );
    const sent = await post('/api/messages', { userId: session.userId, name: 'Ada', text: 'hello from the demo test' });
    expect(sent.status).toBe(200);
    expect((await received).data).toMatchObject({ type: 'message', text: 'hello from the demo test', name: 'Ada' });
    socket.terminate();

    const exited = new Promise<number | null>((resolve) => demo!.once('exit', (code) => resolve(code)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 180_000);
});
