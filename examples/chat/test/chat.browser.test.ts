// The demo page in real Chromium: two pages exchange messages, see each other online and typing,
// and survive the Pulse service stopping and starting (they show "reconnecting", then catch up).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import Pulse from 'openkbs-pulse';
// @ts-expect-error the example backend is plain JavaScript
import { startChatServer } from '../server.mjs';
import { SOURCE_ALIAS, serviceCondition } from './helpers.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WAIT = { timeout: 20_000 };

let browser: Browser;
let context: BrowserContext;
let service: PulseService;
let chat: { url: string; close(): Promise<void> };

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  service = await createPulseService();
  chat = await startChatServer({
    pulse: { kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl },
    alias: SOURCE_ALIAS,
  });
  context = await browser.newContext();
});
afterEach(async () => {
  await context?.close();
  await chat?.close();
  await service?.close();
});

async function openAs(name: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error:`, error));
  await page.goto(`${chat.url}/?name=${encodeURIComponent(name)}`);
  await page.waitForSelector('body[data-state="connected"]', WAIT);
  return page;
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.press('#text', 'Enter');
}

/** Posts a message through the backend (stored, then published), as a page would. */
async function postAs(name: string, text: string): Promise<void> {
  const response = await fetch(`${chat.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: `u-${name}`, name, text }),
  });
  expect(response.status).toBe(200);
}

/** A client holding a token of this chat, as any visitor does, that publishes on its own. */
async function forger(): Promise<Pulse> {
  const answer = await fetch(`${chat.url}/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Mallory' }),
  });
  const { kbId, token, endpoint } = (await answer.json()) as { kbId: string; token: string; endpoint: string };
  return new Pulse({ kbId, token, endpoint });
}

const messageText = (page: Page, text: string) => page.waitForSelector(`#messages li .text >> text="${text}"`, WAIT);

describe('chat page in Chromium', () => {
  it('two pages exchange a message, see each other online and typing', async () => {
    const ada = await openAs('Ada');
    const bob = await openAs('Bob');
    for (const page of [ada, bob]) {
      await page.waitForFunction(() => document.getElementById('online-count')?.textContent === '2', undefined, WAIT);
    }
    expect(await ada.locator('#online li').allTextContents()).toEqual(expect.arrayContaining(['Ada', 'Bob']));

    await send(ada, 'hello Bob');
    await messageText(bob, 'hello Bob');
    await messageText(ada, 'hello Bob');
    expect(await bob.locator('#messages li .author').allTextContents()).toEqual(['Ada']);

    await bob.type('#text', 'typing…');
    await ada.waitForFunction(() => document.getElementById('typing')?.textContent === 'Bob is typing…', undefined, WAIT);

    await bob.close();
    await ada.waitForFunction(() => document.getElementById('online-count')?.textContent === '1', undefined, WAIT);
  });

  it('shows reconnecting while the service is down, then catches up on what was missed', async () => {
    const ada = await openAs('Ada');
    const bob = await openAs('Bob');
    await serviceCondition(service, () => service.connections().length === 2);

    await service.stop();
    await ada.waitForSelector('body[data-state="reconnecting"]', WAIT);
    await bob.waitForSelector('body[data-state="reconnecting"]', WAIT);
    expect(await bob.textContent('#status')).toBe('Reconnecting…');

    // Stored by the backend while Pulse is down: nobody receives it live.
    await send(ada, 'said while you were away');
    await messageText(ada, 'said while you were away');
    expect(await bob.locator('#messages li').count()).toBe(0);

    await service.start();
    await bob.waitForSelector('body[data-state="connected"]', WAIT);
    await messageText(bob, 'said while you were away');
    await ada.waitForSelector('body[data-state="connected"]', WAIT);
    // Presence is rebuilt after the restart: both enter again.
    await bob.waitForFunction(() => document.getElementById('online-count')?.textContent === '2', undefined, WAIT);

    await send(bob, 'back again');
    await messageText(ada, 'back again');
  });

  it('a page restored from the back/forward cache connects again and re-enters presence', async () => {
    const ada = await openAs('Ada');
    const bob = await openAs('Bob');
    await bob.waitForFunction(() => document.getElementById('online-count')?.textContent === '2', undefined, WAIT);

    // What the browser fires when Ada navigates away with the page kept in the bfcache, then back.
    await ada.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true })));
    await ada.waitForSelector('body[data-state="disconnected"]', WAIT);
    await bob.waitForFunction(() => document.getElementById('online-count')?.textContent === '1', undefined, WAIT);

    // Said while Ada's page was in the cache: the catch-up on `connected` brings it.
    await send(bob, 'while you were in the cache');
    await messageText(bob, 'while you were in the cache');
    await ada.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
    await ada.waitForSelector('body[data-state="connected"]', WAIT);
    await messageText(ada, 'while you were in the cache');
    await bob.waitForFunction(() => document.getElementById('online-count')?.textContent === '2', undefined, WAIT);
    await send(bob, 'welcome back');
    await messageText(ada, 'welcome back');
  });

  it('shows user data as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const mallory = await openAs(evil);
    await send(mallory, '<script>window.__pwned=1</script><b>bold?</b>');
    await mallory.waitForSelector('#messages li', WAIT);
    expect(await mallory.locator('#messages li .author').textContent()).toBe(evil);
    expect(await mallory.locator('#online li').first().textContent()).toBe(evil);
    expect(await mallory.locator('#messages img, #messages b, #online img').count()).toBe(0);
    expect(await mallory.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('forged message events show nothing, move no cursor and hide no real message (finding 10)', async () => {
    const ada = await openAs('Ada');
    const mallory = await forger();
    try {
      const channel = mallory.channel('chat');
      // A forged id far ahead (it would move the catch-up cursor past every real message), and a
      // forged copy of the id the next real message gets (it would hide that message).
      await channel.publish('message', { id: 1e15, userId: 'u-mallory', name: 'Mallory', text: 'forged far ahead', sentAt: 0 });
      await channel.publish('message', { id: 1, userId: 'u-mallory', name: 'Mallory', text: 'forged copy', sentAt: 0 });
      // Published after the forged ones: once the page shows it, it has handled them.
      await postAs('Bob', 'real one');
      await messageText(ada, 'real one');

      // Offline while Bob speaks: the catch-up on reconnection must bring it.
      await service.stop();
      await ada.waitForSelector('body[data-state="reconnecting"]', WAIT);
      await postAs('Bob', 'while you were away');
      await service.start();
      await ada.waitForSelector('body[data-state="connected"]', WAIT);
      await messageText(ada, 'while you were away');
      expect(await ada.locator('#messages li .text').allTextContents()).toEqual(['real one', 'while you were away']);
    } finally {
      mallory.disconnect();
    }
  });
});
