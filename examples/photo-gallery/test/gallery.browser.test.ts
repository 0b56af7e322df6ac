// The React gallery in Chromium, in StrictMode (as in development): each page opens exactly one
// connection, pages see each other as viewers, and uploads / deletes reach every page live.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import Pulse from 'openkbs-pulse';
// @ts-expect-error the example backend is plain JavaScript
import { startGallery } from '../server.mjs';

const source = (path: string) => fileURLToPath(new URL(`../../../packages/${path}`, import.meta.url));
const WAIT = { timeout: 30_000 };
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let browser: Browser;
let service: PulseService;
let gallery: { url: string; close(): Promise<void> };
const opened = new Map<string, number>(); // userId -> connections opened
const frames: { userId: string; action: string; channel?: string }[] = []; // what each page's client sent

beforeAll(async () => {
  service = await createPulseService();
  service.on('connection', (c) => opened.set(c.userId, (opened.get(c.userId) ?? 0) + 1));
  service.on('action', (a, c) => frames.push({ userId: c.userId, action: a.action, channel: 'channel' in a ? a.channel : undefined }));
  gallery = await startGallery({
    pulse: { kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl },
    alias: {
      // Before 'openkbs-pulse', which would also match the subpath.
      'openkbs-pulse/react': source('client/src/react/index.ts'),
      'openkbs-pulse': source('client/src/index.ts'),
      '@openkbs-pulse/protocol': source('protocol/src/index.ts'),
    },
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await gallery?.close();
  await service?.close();
});

const pageErrors: string[] = []; // uncaught exceptions and unhandled rejections of every page

async function open(): Promise<{ page: Page; userId: string }> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(gallery.url);
  await page.waitForSelector('.app[data-state="connected"]', WAIT);
  const userId = await page.evaluate(() => sessionStorage.getItem('gallery-user') ?? '');
  return { page, userId };
}

const viewers = (page: Page, n: number) =>
  page.waitForFunction((count) => document.getElementById('viewers')?.textContent === `${count} viewers online`, n, WAIT);

describe('React gallery in Chromium (StrictMode)', () => {
  it('opens one connection per page, shows viewers, and syncs uploads and deletes', async () => {
    const a = await open();
    const b = await open();
    await viewers(a.page, 2);
    await viewers(b.page, 2);
    // StrictMode mounted, unmounted and mounted every component, and each page's client still sent
    // one subscribe and one presence entry, and never took them back (openkbs-pulse/react).
    for (const { userId } of [a, b]) {
      const sent = (action: string) => frames.filter((f) => f.userId === userId && f.action === action && f.channel === 'gallery').length;
      expect([sent('subscribe'), sent('presence_enter'), sent('unsubscribe'), sent('presence_leave')]).toEqual([1, 1, 0, 0]);
    }
    expect(opened.get(a.userId)).toBe(1);
    expect(opened.get(b.userId)).toBe(1);
    expect(service.connections().filter((c) => c.userId === a.userId)).toHaveLength(1);

    await a.page.setInputFiles('input[type=file]', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    await a.page.fill('input[aria-label=Caption]', '<b>not bold</b>');
    await a.page.click('button[type=submit]');
    for (const { page } of [a, b]) {
      await page.waitForSelector('.photo', WAIT);
      expect(await page.locator('.photo .caption').textContent()).toBe('<b>not bold</b>');
      expect(await page.locator('.photo b').count()).toBe(0);
    }

    await b.page.click('.photo button');
    for (const { page } of [a, b]) await page.waitForSelector('.photo', { ...WAIT, state: 'detached' });

    await b.page.close();
    await viewers(a.page, 1);
    expect(opened.get(a.userId)).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('deleting a photo that is already gone shows an error, with no unhandled rejection', async () => {
    const a = await open();
    await a.page.setInputFiles('input[type=file]', { name: 'gone.png', mimeType: 'image/png', buffer: PNG });
    await a.page.click('button[type=submit]');
    await a.page.waitForSelector('.photo', WAIT);
    // Deleted elsewhere, and this page missed the photo_deleted message: the API answers 404.
    await a.page.route('**/api', async (route) => {
      const body = route.request().postDataJSON() as { action?: string };
      if (body.action !== 'delete') return route.continue();
      await route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: 'no such photo' }) });
    });
    await a.page.click('.photo button');
    await a.page.waitForSelector('[role=alert]', WAIT);
    expect(await a.page.locator('[role=alert]').textContent()).toBe('Could not delete gone.png: no such photo');
    await a.page.waitForSelector('.photo', { ...WAIT, state: 'detached' });
    expect(pageErrors).toEqual([]);
    await a.page.close();
  });

  it('forged photo_added / photo_deleted change nothing: the page shows what the backend lists (finding 10)', async () => {
    const call = async <T,>(body: object): Promise<T> => {
      const response = await fetch(`${gallery.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as T;
    };
    const upload = (filename: string) => call<{ id: number }>({ action: 'upload', filename, content: PNG.toString('base64'), uploadedBy: 'ada' });
    const a = await open();
    const tracked: string[] = [];
    a.page.on('request', (request) => request.url().includes('evil.example') && tracked.push(request.url()));
    const real = await upload('real.png');
    await a.page.waitForSelector(`.photo[data-id="${real.id}"]`, WAIT);

    // Any viewer gets a token like this one, and may publish with it.
    const { kbId, token, endpoint } = await call<{ kbId: string; token: string; endpoint: string }>({ action: 'getToken', userId: 'mallory' });
    const mallory = new Pulse({ kbId, token, endpoint });
    try {
      const channel = mallory.channel('gallery');
      const forged = { id: 999_999, filename: 'track.png', caption: 'forged', uploaded_by: 'mallory', url: 'https://evil.example/track.png', created_at: 0 };
      await channel.publish('photo_added', forged);
      await channel.publish('photo_deleted', { id: real.id });
      // Published after the forged ones: once the page shows it, it has handled them.
      const later = await upload('later.png');
      await a.page.waitForSelector(`.photo[data-id="${later.id}"]`, WAIT);
      expect(await a.page.locator(`.photo[data-id="${real.id}"]`).count()).toBe(1);
      expect(await a.page.locator('.photo[data-id="999999"], img[src*="evil.example"]').count()).toBe(0);
      expect(tracked).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      mallory.disconnect();
      await a.page.close();
    }
  });
});
