// The Live Posts page in Chromium: the script-tag client (global Pulse, Pulse.Realtime), two pages
// see each other online and receive each other's posts, and posted markup stays text.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import Pulse from 'openkbs-pulse';
// @ts-expect-error the example backend is plain JavaScript
import { createHandler } from '../handler.mjs';
// @ts-expect-error the example backend is plain JavaScript
import { openDatabase } from '../db.mjs';
// @ts-expect-error the example backend is plain JavaScript
import { startLivePosts } from '../server.mjs';

const source = (path: string) => fileURLToPath(new URL(`../../../packages/${path}`, import.meta.url));
const WAIT = { timeout: 20_000 };

let browser: Browser;
let service: PulseService;
let app: { url: string; close(): Promise<void> };
let scratch: string;
let db: { query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };
const savedEnv = { ...process.env };

beforeAll(async () => {
  service = await createPulseService();
  process.env.OPENKBS_KB_ID = service.kbId;
  process.env.OPENKBS_API_KEY = service.apiKey;
  process.env.OPENKBS_API_URL = service.apiUrl;
  // pulse.js from the client's sources, the way its rollup build makes it: an IIFE setting the
  // global `Pulse`, with isomorphic-ws resolved to the browser's WebSocket.
  scratch = await mkdtemp(join(tmpdir(), 'live-posts-'));
  const pulseScript = join(scratch, 'pulse.js');
  await build({
    entryPoints: [source('client/src/iife.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'Pulse',
    footer: { js: 'Pulse = Pulse.default;' },
    platform: 'browser',
    outfile: pulseScript,
    alias: { '@openkbs-pulse/protocol': source('protocol/src/index.ts') },
    logLevel: 'silent',
  });
  db = openDatabase({ databaseUrl: '' });
  app = await startLivePosts({ handler: createHandler(db), pulseScript });
  // PGlite boots on the first request and takes seconds (many on a loaded machine): here, not
  // inside the first page's wait for a connection.
  await fetch(`${app.url}/posts`, { method: 'POST', body: JSON.stringify({ action: 'list' }) });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await service?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  process.env = savedEnv;
});

async function open(): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(app.url);
  await page.waitForSelector('body[data-state="connected"]', WAIT);
  return page;
}

describe('Live Posts page in Chromium', () => {
  it('two pages see each other online and receive each other’s posts, as text', async () => {
    const one = await open();
    const two = await open();
    for (const page of [one, two]) await page.waitForFunction(() => document.getElementById('online')?.textContent === 'Online: 2', undefined, WAIT);

    const markup = '<img src=x onerror="window.__pwned=1"> hello';
    await one.fill('#content', markup);
    await one.click('button[type=submit]');
    for (const page of [one, two]) {
      await page.waitForSelector('#posts .post', WAIT);
      expect(await page.locator('#posts .post').count()).toBe(1);
      expect(await page.locator('#posts .post').textContent()).toContain(markup);
      expect(await page.locator('#posts img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    }

    // A page opened later lists the stored post (from Postgres).
    const three = await open();
    await three.waitForSelector('#posts .post', WAIT);
    expect(await three.locator('#posts .post').textContent()).toContain(markup);
    await two.close();
    await one.waitForFunction(() => document.getElementById('online')?.textContent === 'Online: 2', undefined, WAIT);
  });

  it('loads the posts again after a reconnection (Pulse keeps no history)', async () => {
    const page = await open();
    await page.waitForFunction(() => Number(document.body.dataset.loaded) >= 1, undefined, WAIT);
    const before = await page.locator('#posts .post').count();

    await service.stop();
    await page.waitForFunction(() => document.body.dataset.state !== 'connected', undefined, WAIT);
    // Stored while this page was offline: no Pulse message will ever bring it.
    const { rows } = await db.query('INSERT INTO posts (user_name, content) VALUES ($1, $2) RETURNING id', ['bob', 'said while you were away']);
    await service.start();

    await page.waitForSelector(`#posts .post[data-id="${String(rows[0]!.id)}"]`, WAIT);
    expect(await page.locator('#posts .post').count()).toBe(before + 1);
    // Newest first, each once.
    expect(await page.locator('#posts .post').first().textContent()).toBe('bob: said while you were away');
    await page.close();
  });

  it('a forged new_post shows nothing and hides no real post: the page shows what the list says (finding 10)', async () => {
    const page = await open();
    await page.waitForFunction(() => Number(document.body.dataset.loaded) >= 1, undefined, WAIT);
    const call = async (body: object) => {
      const response = await fetch(`${app.url}/posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as Record<string, unknown>;
    };
    // Any visitor gets a token like this one, and may publish with it.
    const { kbId, token, endpoint } = (await call({ action: 'getPulseToken', userId: 'user_mallory' })) as { kbId: string; token: string; endpoint: string };
    const mallory = new Pulse({ kbId, token, endpoint });
    try {
      const { rows } = await db.query('SELECT COALESCE(MAX(id), 0) + 1 AS next FROM posts');
      const next = Number(rows[0]!.next);
      const channel = mallory.channel('posts');
      await channel.publish('new_post', { post: { id: 1e15, user_name: 'mallory', content: 'forged far ahead' } });
      await channel.publish('new_post', { post: { id: next, user_name: 'mallory', content: 'forged copy' } });
      // Published after the forged ones: once the page shows it, it has handled them.
      const { post } = (await call({ action: 'create', userName: 'bob', content: 'real one' })) as { post: { id: number } };
      expect(post.id).toBe(next);
      await page.waitForSelector(`#posts .post[data-id="${next}"]`, WAIT);
      expect(await page.locator(`#posts .post[data-id="${next}"]`).textContent()).toBe('bob: real one');
      expect(await page.locator('#posts .post', { hasText: 'forged' }).count()).toBe(0);
    } finally {
      mallory.disconnect();
      await page.close();
    }
  });
});
