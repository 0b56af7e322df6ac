// shareConnection in a real browser: tabs of one browser profile load the built pulse-share.js
// (pulse.js plus the sharing code) and share one connection to the local service, whose
// connection list is the judge. Each share-connection*.browser.test.ts calls `shareScenario` with
// its browser (test-helpers/browsers.ts); the figures (connections for 10 tabs, a follower's
// extra latency, the handover time) are measured by bench/suites/share-connection.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingBrowser, type BrowserContextDriver, type BrowserDriver, type BrowserKind, type BrowserPage } from './browsers.js';

const SCRIPT = fileURLToPath(new URL('../packages/client/pulse-share.js', import.meta.url));

/** Each tab: one client with shareConnection, driven through `t`; `t.errors` collects page errors. */
const PAGE = `<!DOCTYPE html><html><head><script>
  // ?locks=none: a browser without Web Locks (the client falls back to a connection per tab).
  if (new URLSearchParams(location.search).get('locks') === 'none') Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });
</script><script src="/pulse-share.js"></script></head><body><script>
  const q = new URLSearchParams(location.search);
  const t = (window.t = { got: [], errors: [] });
  window.addEventListener('error', (e) => t.errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => t.errors.push('unhandled: ' + String(e.reason)));
  const pulse = (t.pulse = new Pulse({ kbId: q.get('kb'), token: q.get('token'), endpoint: q.get('endpoint'), shareConnection: true }));
  t.sub = (ch) => void pulse.channel(ch).subscribe('m', (d) => t.got.push(ch + ':' + d.n));
  t.pub = (ch, n) => pulse.channel(ch).publish('m', { n });
  t.enter = (ch, data) => pulse.channel(ch).presence.enter(data);
  t.watch = (ch) => void pulse.channel(ch).presence.subscribe(() => {});
  t.count = (ch) => pulse.channel(ch).presence.count;
  // Yields to the event loop until ms have passed. Not setTimeout: WebKit throttles a hidden
  // window's timers to about one a second (the stream took 30 s there); message events are not.
  const pause = async (ms) => {
    const until = performance.now() + ms;
    while (performance.now() < until) await new Promise((r) => { const m = new MessageChannel(); m.port1.onmessage = r; m.port2.postMessage(0); });
  };
  // Publishes 0..n-1 on ch, one every 5 ms; resolves once all are confirmed.
  t.stream = async (ch, n) => {
    const all = [];
    for (let i = 0; i < n; i++) {
      all.push(t.pub(ch, i));
      await pause(5);
    }
    await Promise.all(all);
  };
</script></body></html>`;

/** Whether the browser and pulse-share.js are there; in CI a missing one is an error, not a skip. */
function skipReason(kind: BrowserKind): string | undefined {
  const missing = missingBrowser(kind);
  if (!existsSync(SCRIPT)) missing.push('pulse-share.js (corepack pnpm build)');
  if (missing.length === 0) return undefined;
  if (process.env.CI) throw new Error(`${kind.name} shareConnection test cannot run, missing: ${missing.join(', ')}`);
  console.warn(`[openkbs-pulse] ${kind.name} shareConnection test skipped, missing: ${missing.join(', ')}`);
  return missing.join(', ');
}

/** Polls `expression` in `tab` until it is truthy; fails with `what` and the tab's state. */
export async function waitIn(tab: BrowserPage, expression: string, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await tab.evaluate<boolean>(`!!(${expression})`)) return;
    if (Date.now() > deadline) {
      const state = await tab.evaluate<unknown>('({ state: t.pulse.state, got: t.got, errors: t.errors })');
      throw new Error(`waited ${timeoutMs} ms for ${what}; tab: ${JSON.stringify(state)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The shared service, page server and browser of one browser's share suite. */
export interface ShareHarness {
  readonly service: PulseService;
  readonly browser: BrowserDriver;
  /** Opens a tab of `context` as `user` and waits until it is connected, with no page error; `noLocks`: as if the browser had no Web Locks. */
  open(context: BrowserContextDriver, user: string, noLocks?: boolean): Promise<BrowserPage>;
  /** The service's connections of `user`. */
  of(user: string): ReturnType<PulseService['connections']>;
}

/**
 * Defines the cross-browser shareConnection suite for `kind`; `extra` adds browser-specific cases
 * that use the same service, pages and browser.
 */
export function shareScenario(kind: BrowserKind, extra?: (harness: () => ShareHarness) => void): void {
  const skip = skipReason(kind) !== undefined;

  describe.skipIf(skip)(`${kind.name}: shareConnection (pulse-share.js)`, () => {
    let service: PulseService;
    let http: Server;
    let base: string;
    let browser: BrowserDriver;

    beforeAll(async () => {
      service = await createPulseService({ host: '127.0.0.1' });
      const script = readFileSync(SCRIPT);
      http = createServer((req, res) => {
        const [type, body] = req.url === '/pulse-share.js' ? ['text/javascript', script] : req.url?.startsWith('/?') ? ['text/html', PAGE] : ['text/plain', 'not found'];
        res.writeHead(body === 'not found' ? 404 : 200, { 'content-type': type });
        res.end(body);
      });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      browser = await kind.launch();
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
      await service?.close();
    });

    const open = async (context: BrowserContextDriver, user: string, noLocks = false): Promise<BrowserPage> => {
      const tab = await context.newPage();
      const token = await service.createToken(user);
      await tab.goto(`${base}/?${new URLSearchParams({ kb: service.kbId, token, endpoint: service.wsUrl, ...(noLocks && { locks: 'none' }) })}`);
      await waitIn(tab, "t.pulse.state === 'connected'", 'connected');
      expect(await tab.evaluate('t.errors')).toEqual([]);
      return tab;
    };
    const of = (user: string) => service.connections().filter((c) => c.userId === user);

    it('3 tabs of one user: 1 connection; each tab gets what it subscribed to, once; a follower publish reaches the others and resolves', async () => {
      const context = await browser.newContext();
      const [a, b, c] = [await open(context, 'share-1'), await open(context, 'share-1'), await open(context, 'share-1')];
      expect(of('share-1')).toHaveLength(1);
      await a.evaluate("t.sub('x')");
      await b.evaluate("t.sub('x')");
      await c.evaluate("t.sub('y')");
      await expect.poll(() => of('share-1')[0]?.channels.sort(), { timeout: 10_000 }).toEqual(['x', 'y']);
      await c.evaluate("t.pub('x', 1)");
      await b.evaluate("t.pub('y', 2)");
      for (const tab of [a, b, c]) await waitIn(tab, 't.got.length >= 1', 'a message');
      // Nothing more is on its way: a marker published after them arrives after them.
      await a.evaluate("t.sub('end')");
      await expect.poll(() => of('share-1')[0]?.channels.includes('end'), { timeout: 10_000 }).toBe(true);
      await b.evaluate("t.pub('end', 9)");
      await waitIn(a, "t.got.includes('end:9')", 'the marker');
      expect(await a.evaluate('t.got')).toEqual(['x:1', 'end:9']);
      expect(await b.evaluate('t.got')).toEqual(['x:1']);
      expect(await c.evaluate('t.got')).toEqual(['y:2']);
      expect(of('share-1')).toHaveLength(1);
      await context.close();
    });

    it('the leader tab closes mid-stream: another takes over; no publish is lost; subscriptions and presence come back', async () => {
      const context = await browser.newContext();
      const [a, b, c] = [await open(context, 'share-2'), await open(context, 'share-2'), await open(context, 'share-2')];
      await b.evaluate("t.sub('x')");
      await c.evaluate("t.watch('room')");
      await b.evaluate("t.enter('room', { tab: 'b' })");
      const first = of('share-2')[0]!;
      await expect.poll(() => of('share-2')[0]?.channels.includes('x'), { timeout: 10_000 }).toBe(true);
      // 40 publishes from a follower, the leader closing while they go.
      await c.evaluate("(t.streamed = t.stream('x', 40).then(() => 'confirmed', (e) => String(e)), 0)");
      const closedAt = Date.now();
      await a.close();
      await expect.poll(() => of('share-2').find((conn) => conn.connectionId !== first.connectionId && conn.channels.includes('x')), { timeout: 15_000, interval: 5 }).toBeTruthy();
      const handoverMs = Date.now() - closedAt;
      expect(await c.evaluate('t.streamed')).toBe('confirmed');
      await waitIn(b, 'new Set(t.got).size >= 40', '40 messages');
      expect(new Set(await b.evaluate<string[]>('t.got'))).toEqual(new Set(Array.from({ length: 40 }, (_, n) => `x:${n}`)));
      expect(of('share-2')).toHaveLength(1);
      await expect.poll(() => of('share-2')[0]?.presence, { timeout: 10_000 }).toEqual(['room']);
      await waitIn(c, "t.count('room') === 1", 'the presence count');
      for (const tab of [b, c]) expect(await tab.evaluate('t.errors')).toEqual([]);
      console.log(`[openkbs-pulse] ${kind.name}: shareConnection handover after the leader tab closed: ${handoverMs} ms (to the new connection with subscriptions back, at most this)`);
      await context.close();
    });

    it('two users in one profile: two connections; no Web Locks: one connection per tab', async () => {
      const context = await browser.newContext();
      await open(context, 'share-3');
      await open(context, 'share-4');
      expect(of('share-3')).toHaveLength(1);
      expect(of('share-4')).toHaveLength(1);
      await context.close();

      const old = await browser.newContext();
      await open(old, 'share-5', true);
      await open(old, 'share-5', true);
      expect(of('share-5')).toHaveLength(2);
      await old.close();
    });

    extra?.(() => ({ service, browser, open, of }));
  });
}
