// The cross-browser behaviour suite, black-box over the public API: one page loads the script-tag
// build (`pulse.js`, global `Pulse.Realtime`, as in the tutorial), the other the npm build
// (`import Pulse from 'openkbs-pulse'` bundled by esbuild for the browser, the `Pulse` face).
// Both talk to the local service: presence and messages between the two pages, reconnection
// after the service drops every connection, queued publishes flushed once it is back, and a
// hidden page that reconnects as soon as it becomes visible. Each *.browser.test.ts calls
// `browserScenario` with its browser (test-helpers/browsers.ts).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject } from '../test/runtimes/runtime-helpers.js';
import { missingBrowser, type BrowserDriver, type BrowserKind, type BrowserPage } from './browsers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const PULSE_JS = `${root}packages/client/pulse.js`;
const NPM_DIST = `${root}packages/client/dist/index.mjs`;

/**
 * Runs first in every page, before the SDK: a background tab's throttled timers made
 * deterministic, and a page visibility the test can set.
 * `__hold(true)`: every timer scheduled from now on is kept, not run (as a hidden tab's timers
 * may be delayed for minutes); `__hold(false)` runs the kept ones that were not cleared.
 * `__heldTimers()`: how many kept timers are waiting. `__liveSockets()`: WebSockets not closed
 * yet (the page's own WebSocket, counted). `__setHidden(flag)`: sets
 * `document.visibilityState`/`hidden` and fires `visibilitychange`, as switching tabs does.
 */
const PRELUDE = `
(() => {
  const realSet = window.setTimeout.bind(window);
  const realClear = window.clearTimeout.bind(window);
  let holding = false;
  let nextId = 1e9;
  const held = new Map();
  window.setTimeout = (fn, ms, ...args) => {
    if (!holding) return realSet(fn, ms, ...args);
    const id = nextId++;
    held.set(id, () => fn(...args));
    return id;
  };
  window.clearTimeout = (id) => (held.delete(id) ? undefined : realClear(id));
  window.__heldTimers = () => held.size;
  window.__hold = (on) => {
    holding = on;
    if (on) return;
    const run = [...held.values()];
    held.clear();
    for (const fn of run) realSet(fn, 0);
  };
  // Sockets not yet closed: none while the client waits for a retry timer.
  const NativeWebSocket = window.WebSocket;
  let live = 0;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      live++;
      this.addEventListener('close', () => live--);
    }
  };
  window.__liveSockets = () => live;
  window.__setHidden = (hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  };
})();
`;

/** The page's state, read by the test: `h` in the page. */
const HARNESS = (face: 'realtime' | 'pulse') => `
const h = (window.h = { state: 'starting', states: [], received: [], published: {}, online: 0, errors: [] });
window.addEventListener('error', (e) => h.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => h.errors.push('unhandled: ' + String(e.reason)));
const user = new URLSearchParams(location.search).get('user');
const onState = (state) => {
  h.state = state;
  h.states.push(state);
};
const track = (text, promise) => {
  h.published[text] = 'pending';
  promise.then(() => (h.published[text] = 'ok'), (e) => (h.published[text] = 'error: ' + e));
};
(async () => {
  const { token, endpoint, kbId } = await fetch('/token?user=' + user).then((r) => r.json());
  ${
    face === 'realtime'
      ? `const realtime = new Pulse.Realtime({ kbId, token, endpoint, clientId: user });
  realtime.connection.on((change) => onState(change.current));
  const channel = realtime.channels.get('room');
  channel.subscribe('msg', (message) => h.received.push(message.data.text));
  channel.presence.subscribe((members) => (h.online = members.length));
  channel.presence.enter({ name: user });
  h.publish = (text) => track(text, channel.publish('msg', { text }));`
      : `const pulse = new Pulse({ kbId, token, endpoint });
  pulse.onStateChange(onState);
  const channel = pulse.channel('room');
  channel.subscribe('msg', (data) => h.received.push(data.text));
  channel.presence.subscribe((members) => (h.online = members.length));
  channel.presence.enter({ name: user });
  h.publish = (text) => track(text, channel.publish('msg', { text }));`
  }
})().catch((e) => h.errors.push('setup: ' + String(e)));
`;

const page = (script: string, face: 'realtime' | 'pulse') => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pulse ${face}</title>
<script>${PRELUDE}</script>
<script src="${script}"></script>
</head><body><script>${HARNESS(face)}</script></body></html>`;

/** Whether the browser and the builds are there; in CI a missing one is an error, not a skip. */
function skipReason(kind: BrowserKind): string | undefined {
  const missing = [...missingBrowser(kind)];
  if (!existsSync(PULSE_JS) || !existsSync(NPM_DIST)) missing.push('the client build (corepack pnpm build)');
  if (missing.length === 0) return undefined;
  if (process.env.CI) throw new Error(`${kind.name} browser test cannot run, missing: ${missing.join(', ')}`);
  console.warn(`[openkbs-pulse] ${kind.name} browser test skipped, missing: ${missing.join(', ')}`);
  return missing.join(', ');
}

/** Polls `expression` in `target` until it is truthy; fails with `what` and the page state. */
async function waitFor(target: BrowserPage, expression: string, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await target.evaluate<boolean>(`!!(${expression})`)) return;
    if (Date.now() > deadline) {
      const state = await target.evaluate<unknown>('window.h');
      throw new Error(`waited ${timeoutMs} ms for ${what}; page state: ${JSON.stringify(state)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Defines the suite for one browser. */
export function browserScenario(kind: BrowserKind): void {
  const skip = skipReason(kind) !== undefined;

  describe.skipIf(skip)(`${kind.name}: script-tag and npm builds against the local service`, () => {
    let service: PulseService;
    let http: Server;
    let browser: BrowserDriver;
    let script: BrowserPage;
    let npm: BrowserPage;
    const both = () => [script, npm];

    beforeAll(async () => {
      service = await createPulseService({ host: '127.0.0.1' });
      const pulseJs = readFileSync(PULSE_JS);
      // The npm build as an app bundles it: esbuild for the browser, from the packed package.
      const bundled = await build({
        stdin: { contents: "import Pulse from 'openkbs-pulse'; window.Pulse = Pulse;", resolveDir: consumerProject(`browser-${kind.name}`), loader: 'js' },
        bundle: true,
        write: false,
        format: 'iife',
        platform: 'browser',
        target: 'es2020',
        logLevel: 'silent',
      });
      const npmJs = bundled.outputFiles[0]!.text;
      http = createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const send = (type: string, body: string | Buffer) => {
          res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
          res.end(body);
        };
        if (url.pathname === '/pulse.js') return send('text/javascript', pulseJs);
        if (url.pathname === '/npm.js') return send('text/javascript', npmJs);
        if (url.pathname === '/script.html') return send('text/html', page('/pulse.js', 'realtime'));
        if (url.pathname === '/npm.html') return send('text/html', page('/npm.js', 'pulse'));
        if (url.pathname === '/token') {
          void service.createToken(url.searchParams.get('user') ?? 'anonymous').then((token) =>
            send('application/json', JSON.stringify({ token, endpoint: service.wsUrl, kbId: service.kbId })),
          );
          return;
        }
        res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      browser = await kind.launch();
      console.log(`[openkbs-pulse] ${kind.name}: ${browser.version}`);
      script = await browser.newPage();
      npm = await browser.newPage();
      await script.goto(`${base}/script.html?user=alice`);
      await npm.goto(`${base}/npm.html?user=bob`);
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
      await service?.close();
    });

    it('both pages connect and see each other in presence', async () => {
      for (const target of both()) {
        await waitFor(target, "h.state === 'connected' && h.online === 2", 'connected with 2 members online');
        expect(await target.evaluate('h.errors')).toEqual([]);
      }
    });

    it('each page receives the messages the other publishes', async () => {
      await script.evaluate("h.publish('from script tag')");
      await npm.evaluate("h.publish('from npm build')");
      await waitFor(npm, "h.received.includes('from script tag')", 'the script-tag page message');
      await waitFor(script, "h.received.includes('from npm build')", 'the npm-build page message');
      for (const target of both()) await waitFor(target, "Object.values(h.published).every((s) => s === 'ok')", 'publishes confirmed');
    });

    it('both reconnect after the service drops every connection, and messages flow again', async () => {
      const marks = await Promise.all(both().map((target) => target.evaluate<number>('h.states.length')));
      expect(service.dropAll()).toBeGreaterThanOrEqual(2);
      for (const [i, target] of both().entries()) {
        // Down (the faces name it differently: reconnecting, or Ably's disconnected/connecting), then back.
        await waitFor(target, `h.states.slice(${marks[i]}).some((s) => s !== 'connected') && h.state === 'connected'`, 'down, then connected');
      }
      await script.evaluate("h.publish('after drop')");
      await waitFor(npm, "h.received.includes('after drop')", 'a message after the reconnection');
      for (const target of both()) await waitFor(target, 'h.online === 2', 'both members online again');
    });

    it('publishes made while the service is down are queued and delivered once it is back', async () => {
      await service.stop();
      for (const target of both()) await waitFor(target, "h.state !== 'connected'", 'the connection lost');
      await script.evaluate("h.publish('queued in script tag')");
      await npm.evaluate("h.publish('queued in npm build')");
      expect(await script.evaluate("h.published['queued in script tag']")).toBe('pending');
      expect(await npm.evaluate("h.published['queued in npm build']")).toBe('pending');
      // What reaches the service (the other page may not be subscribed again yet when a page
      // flushes: pub/sub keeps no history, so each page checks its own message comes back).
      const actions: string[] = [];
      service.on('action', (action) => actions.push(JSON.stringify(action)));
      await service.start();
      await waitFor(script, "h.received.includes('queued in script tag')", 'the queued script-tag message back');
      await waitFor(npm, "h.received.includes('queued in npm build')", 'the queued npm-build message back');
      await waitFor(script, "h.published['queued in script tag'] === 'ok'", 'the queued publish confirmed');
      await waitFor(npm, "h.published['queued in npm build'] === 'ok'", 'the queued publish confirmed');
      for (const text of ['queued in script tag', 'queued in npm build']) {
        expect(actions.some((action) => action.includes('"publish"') && action.includes(text))).toBe(true);
      }
    });

    it('a hidden page whose timers are throttled reconnects as soon as it becomes visible', async () => {
      // Hidden, with every timer held (so the reconnection backoff never fires): only becoming
      // visible can bring the page back.
      for (const target of both()) await target.evaluate('(__hold(true), __setHidden(true))');
      await service.stop();
      for (const target of both()) {
        await waitFor(
          target,
          "h.state !== 'connected' && h.state !== 'failed' && __liveSockets() === 0 && __heldTimers() > 0",
          'down, no socket open, waiting on a held retry timer',
        );
      }
      await service.start();
      await script.evaluate('__setHidden(false)');
      await waitFor(script, "h.state === 'connected'", 'the visible script-tag page connected');
      // The other page is still hidden and its timers held: it has not come back by itself.
      expect(await npm.evaluate('h.state')).not.toBe('connected');
      await npm.evaluate('__setHidden(false)');
      await waitFor(npm, "h.state === 'connected'", 'the visible npm-build page connected');
      for (const target of both()) await target.evaluate('__hold(false)');
      await npm.evaluate("h.publish('after visible')");
      await waitFor(script, "h.received.includes('after visible')", 'a message after becoming visible');
      for (const target of both()) expect(await target.evaluate('h.errors')).toEqual([]);
    });
  });
}
