// The built pulse.js in real Chromium: a plain HTML page loads it with a script tag and uses
// Pulse.Realtime like the tutorial's "Live Posts" page; two pages see each other's posts and
// presence through the local service. Posted text is rendered with textContent, never innerHTML.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PULSE_JS = fileURLToPath(new URL('../pulse.js', import.meta.url));
const hasChromium = existsSync(CHROMIUM);
const built = existsSync(PULSE_JS);
// Skipped only on a machine without Chromium (or without a build) outside CI; in CI it must run.
const skip = !process.env.CI && (!hasChromium || !built);
if (skip) {
  console.warn(
    `[openkbs-pulse] browser test skipped: ${!hasChromium ? `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` : 'pulse.js not built (corepack pnpm build)'}`,
  );
}

const PAGE = `<!DOCTYPE html>
<html>
<head><title>Live Posts</title><script src="/pulse.js"></script></head>
<body>
  <div id="state">starting</div>
  <div id="online">Online: 0</div>
  <div id="posts"></div>
  <form id="form"><input type="text" id="content"><button type="submit">Post</button></form>
  <script>
    const userId = new URLSearchParams(location.search).get('user');
    let realtime;
    let channel;
    const call = (body) =>
      fetch('/posts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

    function addPost(post) {
      const div = document.createElement('div');
      div.className = 'post';
      const name = document.createElement('b');
      name.textContent = post.user_name;
      div.append(name, ': ' + post.content);
      document.getElementById('posts').prepend(div);
    }

    async function init() {
      const { token, endpoint, kbId } = await call({ action: 'getPulseToken', userId });
      realtime = new Pulse.Realtime({ kbId, token, endpoint, clientId: userId });
      realtime.connection.on((change) => (document.getElementById('state').textContent = change.current));
      channel = realtime.channels.get('posts');
      channel.subscribe('new_post', (msg) => addPost(msg.data.post));
      channel.presence.enter({ name: userId });
      channel.presence.subscribe((members) => {
        document.getElementById('online').textContent = 'Online: ' + members.length;
      });
    }

    // A direct client publish, next to the tutorial's backend publish.
    window.publishDirect = (content) => channel.publish('new_post', { post: { user_name: userId, content } });

    document.getElementById('form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const content = document.getElementById('content').value;
      if (!content) return;
      await call({ action: 'create', content, userName: userId });
      document.getElementById('content').value = '';
    });

    init();
  </script>
</body>
</html>`;

let service: PulseService;
let http: Server;
let base: string;
let browser: Browser;

async function readJson(req: import('node:http').IncomingMessage): Promise<Record<string, string>> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return JSON.parse(body) as Record<string, string>;
}

describe.skipIf(skip)('pulse.js in Chromium', () => {
  beforeAll(async () => {
    if (!built) throw new Error('pulse.js is not built: run corepack pnpm build first');
    service = await createPulseService({ host: '127.0.0.1' });
    const script = readFileSync(PULSE_JS);
    // The tutorial's backend, in a few lines: tokens, and posts published over the HTTP API.
    http = createServer((req, res) => {
      const send = (status: number, type: string, body: string | Buffer) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      };
      if (req.method === 'GET' && req.url === '/pulse.js') return send(200, 'text/javascript', script);
      if (req.method === 'GET' && req.url?.startsWith('/?')) return send(200, 'text/html', PAGE);
      if (req.method === 'POST' && req.url === '/posts') {
        void readJson(req).then(async (body) => {
          if (body.action === 'getPulseToken') {
            const token = await service.createToken(body.userId!);
            return send(200, 'application/json', JSON.stringify({ token, endpoint: service.wsUrl, kbId: service.kbId }));
          }
          const post = { user_name: body.userName, content: body.content };
          const answer = await fetch(service.apiUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ action: 'pulsePublish', kbId: service.kbId, apiKey: service.apiKey, channel: 'posts', event: 'new_post', data: { post } }),
          });
          send(answer.status, 'application/json', JSON.stringify({ post }));
        });
        return;
      }
      send(404, 'text/plain', 'not found');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
    await service?.close();
  });

  const open = async (user: string): Promise<Page> => {
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/?user=${user}`);
    await page.locator('#state', { hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
    return page;
  };

  it('two pages see each other online and receive each other posts', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    for (const page of [alice, bob]) await page.locator('#online', { hasText: 'Online: 2' }).waitFor({ timeout: 15_000 });

    await alice.fill('#content', 'Hello from <b>Alice</b>');
    await alice.click('button[type=submit]');
    const bobPost = bob.locator('.post').first();
    await bobPost.waitFor({ timeout: 15_000 });
    expect(await bobPost.textContent()).toBe('alice: Hello from <b>Alice</b>');
    expect(await bob.locator('.post b').count()).toBe(1); // only the name is bold: markup stayed text

    await bob.evaluate(() => (window as unknown as { publishDirect(c: string): Promise<void> }).publishDirect('hi from bob'));
    await alice.locator('.post', { hasText: 'hi from bob' }).waitFor({ timeout: 15_000 });

    await bob.context().close();
    await alice.locator('#online', { hasText: 'Online: 1' }).waitFor({ timeout: 15_000 });
    await alice.context().close();
  });

  it('a refusal the browser hides (Pulse disabled, HTTP 403): one network_error, retries go on', async () => {
    const page = await open('carol');
    const token = await service.createToken('dave');
    service.setEnabled(service.kbId, false);
    try {
      const seen = await page.evaluate(
        ({ kbId, token, endpoint }) =>
          new Promise<{ code: string; state: string }>((resolve) => {
            const P = (window as unknown as { Pulse: new (o: object) => { on(e: 'error', cb: (e: { code: string }) => void): void; state: string } }).Pulse;
            const pulse = new P({ kbId, token, endpoint });
            pulse.on('error', (error) => resolve({ code: error.code, state: pulse.state }));
          }),
        { kbId: service.kbId, token, endpoint: service.wsUrl },
      );
      expect(seen).toEqual({ code: 'network_error', state: 'reconnecting' });
    } finally {
      service.setEnabled(service.kbId, true);
      await page.context().close();
    }
  });
});
