// openkbs-pulse/react in real Chromium, in StrictMode with React's development build (effects
// really run twice), rendered with @testing-library/react inside the page
// (react-browser-page.ts, bundled here with esbuild). The page's one client is counted at the
// local service: one socket, one subscribe, one presence entry, no duplicate delivery, no
// resubscribe on a new handler, and the socket closes when the provider unmounts.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Pulse from '../src/index.js';
import { tokenFor } from './int-helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// Skipped only on a machine without Chromium outside CI; in CI it must run.
const skip = !process.env.CI && !hasChromium;
if (skip) console.warn(`[openkbs-pulse] react browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

const source = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

type PageApi = {
  start(options: { kbId: string; token: string; endpoint: string }): Promise<void>;
  room(key: string | undefined): string;
  waitText(expected: string): Promise<void>;
  swapHandler(name: string): void;
  waitReceived(count: number): Promise<string[]>;
  received(): string[];
  barrier(): Promise<void>;
  sockets(): number;
  state(): string;
  unmount(): void;
};

let service: PulseService;
let http: Server;
let base: string;
let browser: Browser;
const frames: { user: string; action: string; channel: string | undefined }[] = [];
const closed: string[] = [];

/** Calls `pulseTest[name](...args)` in the page. */
function call<K extends keyof PageApi>(page: Page, name: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> {
  return page.evaluate(
    ([n, a]) => (window as unknown as { pulseTest: Record<string, (...x: unknown[]) => unknown> }).pulseTest[n as string]!(...(a as unknown[])),
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<PageApi[K]>>>;
}

const sent = (action: string, channel = 'room') => frames.filter((f) => f.user === 'ui' && f.action === action && f.channel === channel).length;

describe.skipIf(skip)('openkbs-pulse/react in Chromium (StrictMode, @testing-library/react)', () => {
  beforeAll(async () => {
    service = await createPulseService({ host: '127.0.0.1' });
    service.on('action', (a, c) => frames.push({ user: c.userId, action: a.action, channel: 'channel' in a ? a.channel : undefined }));
    service.on('close', (c) => closed.push(c.userId));
    const bundle = await build({
      entryPoints: [source('client/test/react-browser-page.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      // React's development build: StrictMode's double mount only happens there.
      define: { 'process.env.NODE_ENV': '"development"', 'process.env': '{}' },
      alias: {
        'openkbs-pulse': source('client/src/index.ts'),
        '@openkbs-pulse/protocol': source('protocol/src/index.ts'),
      },
      logLevel: 'warning',
    });
    const script = bundle.outputFiles[0]!.text;
    http = createServer((req, res) => {
      if (req.url === '/page.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end(script);
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><head><title>react</title></head><body><script src="/page.js"></script></body></html>');
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

  it('one socket, one subscription and one presence entry through mounts, remounts and new handlers', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base);

    // Another user, on the same channel: sees presence changes and publishes.
    const observer = new Pulse({ kbId: service.kbId, token: await tokenFor(service, 'observer'), endpoint: service.wsUrl });
    const leaves: string[] = [];
    const enters: string[] = [];
    const room = observer.channel('room');
    room.presence.onEnter((m) => m.userId === 'ui' && enters.push(m.userId));
    room.presence.onLeave((m) => m.userId === 'ui' && leaves.push(m.userId));
    await room.presence.enter({ name: 'observer' });
    try {
      await call(page, 'start', { kbId: service.kbId, token: await tokenFor(service, 'ui'), endpoint: service.wsUrl });

      // Mounted on a live connection: StrictMode runs the room's effects twice with the client.
      await call(page, 'room', 'first');
      await call(page, 'waitText', 'connected 2');
      await call(page, 'barrier');
      expect([sent('subscribe'), sent('presence_enter'), sent('unsubscribe'), sent('presence_leave')]).toEqual([1, 1, 0, 0]);

      // A remount (another key) in one commit: presence does not flicker.
      expect(await call(page, 'room', 'second')).toBe('connected 2');
      await call(page, 'barrier');
      expect([sent('subscribe'), sent('presence_enter'), sent('unsubscribe'), sent('presence_leave')]).toEqual([1, 1, 0, 0]);

      // No duplicate delivery; in order, so a duplicate of `one` would come before `two`.
      await room.publish('message', { text: 'one' });
      await room.publish('message', { text: 'two' });
      expect(await call(page, 'waitReceived', 2)).toEqual(['first:one', 'first:two']);
      await call(page, 'barrier');
      expect(await call(page, 'received')).toEqual(['first:one', 'first:two']);

      // A new handler on re-render: called instead of the old one, no resubscribe.
      await call(page, 'swapHandler', 'second');
      await room.publish('message', { text: 'three' });
      expect(await call(page, 'waitReceived', 3)).toEqual(['first:one', 'first:two', 'second:three']);
      expect(sent('subscribe')).toBe(1);
      expect(sent('unsubscribe')).toBe(0);
      expect(enters).toEqual(['ui']);
      expect(leaves).toEqual([]);

      // The last user unmounts: the socket closes (and presence leaves with it).
      await call(page, 'unmount');
      await expect.poll(() => closed).toEqual(['ui']);
      await expect.poll(() => leaves).toEqual(['ui']);
      expect(await call(page, 'sockets')).toBe(1);
      expect(await call(page, 'state')).toBe('disconnected');
      expect(errors).toEqual([]);
    } finally {
      observer.disconnect();
      await page.close();
    }
  });
});
