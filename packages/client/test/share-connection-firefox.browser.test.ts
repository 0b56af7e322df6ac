// shareConnection in real Firefox (Debian's firefox-esr through puppeteer-core over WebDriver
// BiDi): tabs of one browser context load the built pulse-share.js and share one connection to
// the local service; the leader tab closing hands over with nothing lost. The Chromium test
// (share-connection.browser.test.ts) has the other cases.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const SCRIPT = fileURLToPath(new URL('../pulse-share.js', import.meta.url));
const skip = !process.env.CI && (!existsSync(FIREFOX) || !existsSync(SCRIPT));
if (skip) console.warn(`[openkbs-pulse] shareConnection Firefox test skipped: ${existsSync(FIREFOX) ? 'pulse-share.js not built' : `no Firefox at ${FIREFOX} (apt-get install -y firefox-esr)`}`);

const PAGE = `<!DOCTYPE html><html><head><script src="/pulse-share.js"></script></head><body><script>
  const q = new URLSearchParams(location.search);
  const pulse = new Pulse({ kbId: q.get('kb'), token: q.get('token'), endpoint: q.get('endpoint'), shareConnection: true });
  window.t = {
    pulse,
    got: [],
    sub(ch) { pulse.channel(ch).subscribe('m', (d) => window.t.got.push(ch + ':' + d.n)); },
    pub(ch, n) { return pulse.channel(ch).publish('m', { n }); },
  };
</script></body></html>`;

interface Tab {
  pulse: { state: string };
  got: string[];
  sub(ch: string): void;
  pub(ch: string, n: number): Promise<void>;
}
declare const window: { t: Tab };

let service: PulseService;
let http: Server;
let base: string;
let browser: Browser;

describe.skipIf(skip)('shareConnection in Firefox (pulse-share.js)', () => {
  beforeAll(async () => {
    service = await createPulseService({ host: '127.0.0.1' });
    const script = readFileSync(SCRIPT);
    http = createServer((req, res) => {
      const js = req.url === '/pulse-share.js';
      res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
      res.end(js ? script : PAGE);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const { default: puppeteer } = await import('puppeteer-core');
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
    await service?.close();
  });

  const open = async (context: BrowserContext, user: string): Promise<Page> => {
    const page = await context.newPage();
    const token = await service.createToken(user);
    await page.goto(`${base}/?${new URLSearchParams({ kb: service.kbId, token, endpoint: service.wsUrl })}`);
    await page.waitForFunction(() => window.t.pulse.state === 'connected', { timeout: 15_000 });
    return page;
  };
  const of = (user: string) => service.connections().filter((c) => c.userId === user);

  it('3 tabs: 1 connection, each tab gets its channel once; the leader tab closes mid-stream and nothing is lost', async () => {
    const context = await browser.createBrowserContext();
    const [a, b, c] = [await open(context, 'ff-1'), await open(context, 'ff-1'), await open(context, 'ff-1')];
    expect(of('ff-1')).toHaveLength(1);
    await b.evaluate(() => window.t.sub('x'));
    await c.evaluate(() => window.t.sub('y'));
    await expect.poll(() => of('ff-1')[0]?.channels.sort(), { timeout: 10_000 }).toEqual(['x', 'y']);
    await c.evaluate(() => window.t.pub('x', -1));
    await b.waitForFunction(() => window.t.got.includes('x:-1'), { timeout: 10_000 });

    const first = of('ff-1')[0]!.connectionId;
    const sent = c.evaluate(async () => {
      const all: Promise<void>[] = [];
      for (let n = 0; n < 30; n++) {
        all.push(window.t.pub('x', n));
        await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(all);
    });
    await a.close();
    await expect.poll(() => of('ff-1').some((conn) => conn.connectionId !== first && conn.channels.includes('x')), { timeout: 15_000 }).toBe(true);
    await sent;
    await b.waitForFunction(() => new Set(window.t.got).size >= 31, { timeout: 15_000 });
    expect(new Set(await b.evaluate(() => window.t.got))).toEqual(new Set(['x:-1', ...Array.from({ length: 30 }, (_, n) => `x:${n}`)]));
    expect(await c.evaluate(() => window.t.got)).toEqual([]);
    expect(of('ff-1')).toHaveLength(1);
    await context.close();
  });
});
