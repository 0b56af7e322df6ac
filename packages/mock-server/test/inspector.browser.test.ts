// The inspector page in real Chromium, against a live local service: two pulse.js clients connect,
// enter presence and publish; the page shows the connections, the members and the message, each
// within a second of it happening (the feed pushes every 200 ms). From the page: a publish reaches
// a client, a refused one shows its code, dropping a connection makes the client reconnect.
// Data is shown as text (a user id full of markup stays text), and the page fits a phone screen.
// PULSE_INSPECTOR_SCREENSHOT=docs/inspector.png also writes the screenshot the docs show.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { connect, closeAllClients } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PULSE_JS = fileURLToPath(new URL('../../client/pulse.js', import.meta.url));
const hasChromium = existsSync(CHROMIUM);
const built = existsSync(PULSE_JS);
// Skipped only on a machine without Chromium (or without pulse.js built) outside CI; in CI it must run.
const skip = !process.env.CI && (!hasChromium || !built);
if (skip) {
  console.warn(
    `[mock-server] inspector browser test skipped: ${!hasChromium ? `no Chromium at ${CHROMIUM} (apt-get install -y chromium)` : 'pulse.js not built (corepack pnpm --filter openkbs-pulse build)'}`,
  );
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/**
 * What the issue asks: what happens shows in the page within a second (the feed pushes every
 * 200 ms). The bound here is looser so that a loaded 2-core CI machine does not fail it: the test
 * checks that things show up without a reload, not how fast (no timing assertions).
 */
const WITHIN_A_SECOND = { timeout: 5000 };
/** Connecting, reconnecting and page loads: generous bounds. */
const WAIT = { timeout: 15_000 };

let browser: Browser;
let context: BrowserContext;
let service: PulseService;
/** Serves the client pages: a blank page and pulse.js, from a loopback origin of its own (as an app would). */
let appServer: Server;
let appUrl: string;

beforeAll(async () => {
  if (skip) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const script = readFileSync(PULSE_JS);
  appServer = createServer((req, res) => {
    if (req.url === '/pulse.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>client</title><script src="/pulse.js"></script>');
  });
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => appServer?.close(resolve));
});
beforeEach(async () => {
  if (skip) return;
  service = await createPulseService();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
});
afterEach(async () => {
  closeAllClients();
  await context?.close();
  await service?.close();
});

async function openInspector(): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('[inspector] page error:', error));
  await page.goto(service.inspectorUrl!);
  await page.waitForSelector('body[data-state="connected"]', WAIT);
  // The snapshot has arrived once the tenants table lists the default kb.
  await page.waitForSelector(`#tenants tr[data-kb-id="${service.kbId}"]`, WAIT);
  return page;
}

/** A page that only loads pulse.js and connects as `userId` to `channel`; it records what it receives. */
async function openClient(userId: string, channel: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${userId}] page error:`, error));
  await page.goto(`${appUrl}/`);
  const token = await service.createToken(userId);
  await page.evaluate(
    ({ kbId, token, endpoint, channel }) => {
      const w = window as unknown as Record<string, unknown> & { Pulse: new (options: object) => Record<string, never> };
      const pulse = new w.Pulse({ kbId, token, endpoint }) as unknown as {
        state: string;
        onStateChange(cb: (state: string) => void): void;
        channel(name: string): {
          subscribe(cb: (data: unknown) => void): void;
          publish(event: string, data: object): Promise<void>;
          presence: { enter(data: object): Promise<void> };
        };
      };
      const states: string[] = [pulse.state];
      const received: unknown[] = [];
      pulse.onStateChange((state) => states.push(state));
      const ch = pulse.channel(channel);
      ch.subscribe((data) => received.push(data));
      Object.assign(window, { pulse, ch, states, received });
    },
    { kbId: service.kbId, token, endpoint: service.wsUrl, channel },
  );
  await page.waitForFunction(() => (window as unknown as { pulse: { state: string } }).pulse.state === 'connected', undefined, WAIT);
  return page;
}

const clientCall = (page: Page, script: string) => page.evaluate(script);

describe.skipIf(skip)('the inspector page in Chromium', () => {
  it('shows connections, presence members with their data, and a published message within a second', async () => {
    const inspector = await openInspector();
    const ada = await openClient('ada', 'room');
    await inspector.waitForSelector('#connections tr[data-user-id="ada"]', WITHIN_A_SECOND);
    const bob = await openClient('bob', 'room');
    await inspector.waitForSelector('#connections tr[data-user-id="bob"]', WITHIN_A_SECOND);
    expect(await inspector.textContent('#connections-count')).toBe('2');

    await clientCall(ada, `ch.presence.enter({ name: 'Ada', status: 'writing' })`);
    const member = await inspector.waitForSelector('#channels li[data-channel="room"] .members li[data-user-id="ada"]', WITHIN_A_SECOND);
    expect(await member.textContent()).toContain('{"name":"Ada","status":"writing"}');
    await inspector.waitForFunction(
      () => document.querySelector('#channels li[data-channel="room"] .present')?.textContent === '1 present',
      undefined,
      WITHIN_A_SECOND,
    );
    expect(await inspector.textContent('#channels li[data-channel="room"] .subscribers')).toBe('2 subscribed');

    await clientCall(bob, `ch.publish('chat', { text: 'hello from bob' })`);
    const line = await inspector.waitForSelector('#log li[data-kind="publish"][data-user-id="bob"]', WITHIN_A_SECOND);
    expect(await line.textContent()).toContain('chat on room from bob (WebSocket), delivered to 2');
    expect(await line.textContent()).toContain('hello from bob');
    expect(await inspector.locator('#log li[data-kind="connect"]').count()).toBe(2);

    // Filters: by kind, by user, by channel.
    await inspector.selectOption('#filter-kind', 'presence');
    await inspector.waitForFunction(() => Array.from(document.querySelectorAll('#log li')).every((li) => li.getAttribute('data-kind') === 'presence'));
    expect(await inspector.locator('#log li').count()).toBe(1);
    await inspector.selectOption('#filter-kind', '');
    await inspector.fill('#filter-user', 'bob');
    await inspector.waitForFunction(() => Array.from(document.querySelectorAll('#log li')).every((li) => li.getAttribute('data-user-id') === 'bob'));
    await inspector.fill('#filter-user', '');
    await inspector.fill('#filter-channel', 'nowhere');
    await inspector.waitForFunction(() => document.querySelectorAll('#log li').length === 0);
    await inspector.fill('#filter-channel', '');

    // Pausing the log holds new lines; resuming shows them.
    await inspector.click('#log-toggle');
    await clientCall(ada, `ch.publish('chat', { text: 'while paused' })`);
    await inspector.waitForFunction(() => document.getElementById('log-held')?.textContent === '1 new while paused', undefined, WAIT);
    expect(await inspector.locator('#log li', { hasText: 'while paused' }).count()).toBe(0);
    await inspector.click('#log-toggle');
    await inspector.waitForSelector('#log li >> text=while paused', WITHIN_A_SECOND);

    const screenshot = process.env.PULSE_INSPECTOR_SCREENSHOT;
    if (screenshot) {
      // Some traffic for the chart: ~15 s of publishes at a varying rate, a third client, a refusal.
      await clientCall(bob, `ch.presence.enter({ name: 'Bob' })`);
      await clientCall(ada, `window.n = 0; window.ticker = setInterval(() => ch.publish('chat', { text: 'message ' + ++window.n }), 60)`);
      await inspector.waitForFunction(() => Number(document.getElementById('log-count')?.textContent) > 80, undefined, { timeout: 30_000 });
      const carol = await openClient('carol', 'lobby');
      await clientCall(carol, `ch.presence.enter({ name: 'Carol' })`);
      await clientCall(ada, `clearInterval(window.ticker); window.ticker = setInterval(() => ch.publish('chat', { text: 'message ' + ++window.n }), 200)`);
      await inspector.waitForFunction(() => Number(document.getElementById('log-count')?.textContent) > 120, undefined, { timeout: 30_000 });
      await clientCall(ada, `clearInterval(window.ticker)`);
      const raw = await connect(service, 'mallory', { channel: 'room' });
      raw.send({ action: 'publish', channel: 'room', event: 'big', data: { blob: 'x'.repeat(40_000) } });
      await inspector.waitForSelector('#log li[data-kind="refused"]', WAIT);
      await inspector.screenshot({ path: screenshot, fullPage: false });
    }
  });

  it('publishes from the page to a client, and shows a refused publish with its code', async () => {
    const inspector = await openInspector();
    const ada = await openClient('ada', 'room');
    await inspector.waitForSelector('#connections tr[data-user-id="ada"]', WAIT);

    await inspector.fill('#pub-channel', 'room');
    await inspector.fill('#pub-event', 'announce');
    await inspector.fill('#pub-data', '{ "text": "from the inspector" }');
    await inspector.click('#publish button[type="submit"]');
    await ada.waitForFunction(
      () => (window as unknown as { received: { text?: string; type?: string }[] }).received.some((d) => d.text === 'from the inspector' && d.type === 'announce'),
      undefined,
      WAIT,
    );
    await inspector.waitForFunction(() => document.getElementById('pub-result')?.textContent === 'delivered to 1', undefined, WAIT);
    await inspector.waitForSelector('#log li[data-kind="publish"] >> text=announce on room from inspector', WITHIN_A_SECOND);
    await inspector.waitForSelector('#log li[data-kind="action"] >> text=published announce to room', WITHIN_A_SECOND);

    // Refused by the service's rules: data.type must be the event name.
    await inspector.fill('#pub-data', '{ "type": "other" }');
    await inspector.click('#publish button[type="submit"]');
    await inspector.waitForSelector('#pub-result[data-code="invalid_message"]', WAIT);
    const refusedHere = await inspector.waitForSelector('#log li[data-kind="refused"][data-code="invalid_message"]', WITHIN_A_SECOND);
    expect(await refusedHere.textContent()).toContain('data.type is reserved');

    // Not JSON: the page says so and sends nothing.
    await inspector.fill('#pub-data', '{ nope');
    await inspector.click('#publish button[type="submit"]');
    await inspector.waitForFunction(() => document.getElementById('pub-result')?.textContent?.startsWith('data is not JSON') === true, undefined, WAIT);

    // A client's publish the service refuses (a frame over 32 KB) shows with its code.
    const raw = await connect(service, 'mallory', { channel: 'room' });
    raw.send({ action: 'publish', channel: 'room', event: 'big', data: { blob: 'x'.repeat(40_000) } });
    const refused = await inspector.waitForSelector('#log li[data-kind="refused"][data-code="message_too_large"]', WAIT);
    expect(await refused.textContent()).toContain('frame from mallory refused');
    expect(await ada.evaluate(() => (window as unknown as { received: { type?: string }[] }).received.some((d) => d.type === 'big'))).toBe(false);
  });

  it('drops a connection from the page and the client reconnects; pause, resume and drop all show in the log', async () => {
    const inspector = await openInspector();
    const ada = await openClient('ada', 'room');
    const row = await inspector.waitForSelector('#connections tr[data-user-id="ada"]', WAIT);
    const firstId = await row.getAttribute('data-connection-id');

    await inspector.click(`#connections button.drop[data-connection-id="${firstId}"]`);
    await inspector.waitForSelector(`#log li[data-kind="disconnect"][data-user-id="ada"]`, WITHIN_A_SECOND);
    await inspector.waitForSelector('#log li[data-kind="action"] >> text=dropped connection', WITHIN_A_SECOND);
    // The client noticed, reconnected, and is listed again under a new connection id.
    await ada.waitForFunction(() => {
      const states = (window as unknown as { states: string[]; pulse: { state: string } }).states;
      return states.includes('reconnecting') && states.at(-1) === 'connected';
    }, undefined, WAIT);
    await inspector.waitForSelector(`#connections tr[data-user-id="ada"]:not([data-connection-id="${firstId}"])`, WAIT);

    await inspector.click('#pause');
    await inspector.waitForSelector('body[data-paused="true"]', WAIT);
    expect(service.paused).toBe(true);
    await inspector.click('#resume');
    await inspector.waitForSelector('body[data-paused="false"]', WAIT);
    expect(service.paused).toBe(false);
    await inspector.waitForSelector('#log li[data-kind="action"] >> text=paused the service', WAIT);
    await inspector.waitForSelector('#log li[data-kind="action"] >> text=resumed the service', WAIT);

    await inspector.click('#drop-all');
    await inspector.waitForSelector('#log li[data-kind="action"] >> text=dropped all connections (1)', WAIT);
    // The page's own feed is not dropped.
    expect(await inspector.getAttribute('body', 'data-state')).toBe('connected');
  });

  it('shows data as text, and fits a phone-width screen', async () => {
    await context.close();
    context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    const inspector = await openInspector();
    const nasty = '<img src=x onerror="window.owned=1">';
    const client = await connect(service, nasty, { channel: '<b>room</b>' });
    client.send({ action: 'presence_enter', channel: '<b>room</b>', data: { html: '<script>window.owned=2</script>' } });
    await client.sync();
    await inspector.waitForSelector('#channels li .members li', WAIT);
    expect(await inspector.locator('#connections tbody td', { hasText: nasty }).count()).toBe(1);
    expect(await inspector.evaluate(() => document.querySelectorAll('main img, main script').length)).toBe(0);
    const channelName = inspector.locator('#channels li .name');
    expect(await channelName.textContent()).toBe('<b>room</b>');
    expect(await channelName.evaluate((node) => node.childElementCount)).toBe(0);
    expect(await inspector.evaluate(() => (window as unknown as { owned?: number }).owned)).toBeUndefined();
    // Nothing wider than the screen: the tables scroll inside their own box.
    expect(await inspector.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });
});
