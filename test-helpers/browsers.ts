// Real browsers behind one small interface, for the cross-browser behaviour suite
// (test-helpers/browser-scenario.ts): Chromium through playwright-core, Firefox through
// puppeteer-core over WebDriver BiDi, WebKit (WebKitGTK's MiniBrowser) through WebKitWebDriver
// over plain W3C WebDriver HTTP under a private Xvfb display. All are Debian's packages
// (apt-get install -y chromium firefox-esr webkit2gtk-driver xvfb): none is downloaded.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** One page (a tab or a window) of a real browser. */
export interface BrowserPage {
  goto(url: string): Promise<void>;
  /** Evaluates a JavaScript expression in the page; a promise is awaited; the result must be JSON. */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

/** Pages of one browser profile: they share storage, `BroadcastChannel` and Web Locks, as tabs of one window do. */
export interface BrowserContextDriver {
  /** A new tab; its `close()` closes that tab only. */
  newPage(): Promise<BrowserPage>;
  /** Closes every tab of the context. */
  close(): Promise<void>;
}

/** A running browser that opens independent pages (own cookies and storage each). */
export interface BrowserDriver {
  readonly name: string;
  /** Browser name and version as the browser reports it. */
  readonly version: string;
  newPage(): Promise<BrowserPage>;
  /** A context whose pages are tabs of one profile (for `shareConnection`). */
  newContext(): Promise<BrowserContextDriver>;
  close(): Promise<void>;
}

/** The part of a playwright or puppeteer page used here (both take a string expression and await a promise). */
interface ScriptablePage {
  goto(url: string): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  close(): Promise<void>;
}

/** A playwright/puppeteer page as a {@link BrowserPage}; `close` defaults to closing the tab. */
function scriptable(page: ScriptablePage, close: () => Promise<void> = () => page.close()): BrowserPage {
  return {
    goto: async (url) => void (await page.goto(url)),
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    close,
  };
}

/** Contexts of a playwright/puppeteer browser: `create` makes one with `newPage` and `close`. */
function contexts(create: () => Promise<{ newPage(): Promise<ScriptablePage>; close(): Promise<void> }>): Pick<BrowserDriver, 'newPage' | 'newContext'> {
  return {
    async newPage() {
      const context = await create();
      return scriptable(await context.newPage(), () => context.close());
    },
    async newContext() {
      const context = await create();
      return { newPage: async () => scriptable(await context.newPage()), close: () => context.close() };
    },
  };
}

/** How to run one browser: where its executable must be, and how to start it. */
export interface BrowserKind {
  readonly name: 'chromium' | 'firefox' | 'webkit';
  /** Files that must exist (the apt packages to install otherwise). */
  readonly requires: readonly { path: string; apt: string }[];
  launch(): Promise<BrowserDriver>;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
const MINIBROWSER = process.env.WEBKIT_MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const XVFB = '/usr/bin/Xvfb';

export const chromiumKind: BrowserKind = {
  name: 'chromium',
  requires: [{ path: CHROMIUM, apt: 'chromium' }],
  async launch() {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    return {
      name: 'chromium',
      version: `Chromium ${browser.version()}`,
      ...contexts(() => browser.newContext()),
      close: () => browser.close(),
    };
  },
};

export const firefoxKind: BrowserKind = {
  name: 'firefox',
  requires: [{ path: FIREFOX, apt: 'firefox-esr' }],
  async launch() {
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
    const version = await browser.version();
    return {
      name: 'firefox',
      version,
      ...contexts(() => browser.createBrowserContext()),
      close: () => browser.close(),
    };
  },
};

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts a process in its own process group, so that stopping it stops its children too. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
}

function stop(child: ChildProcess | undefined): void {
  if (child?.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

/** An Xvfb display of its own (`-displayfd` picks a free display number and reports it). */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const child = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let text = '';
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (chunk: Buffer) => {
      text += String(chunk);
      if (text.includes('\n')) resolve(`:${text.trim()}`);
    });
    child.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before reporting a display`)));
  });
  return { display, process: child };
}

interface WebDriverAnswer {
  value: unknown;
}

/** One W3C WebDriver session of WebKitWebDriver (one driver serves one session): a context whose pages are its windows. */
async function webkitSession(display: string): Promise<{ context: BrowserContextDriver; version: string }> {
  const port = await freePort();
  const driver = start(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], { ...process.env, DISPLAY: display });
  let stderr = '';
  driver.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as WebDriverAnswer;
    if (!response.ok) throw new Error(`WebKitWebDriver ${method} ${path}: ${response.status} ${JSON.stringify(answer.value)}`);
    return answer.value;
  };
  // The driver needs a moment to listen; its /status answers once it does.
  for (let i = 0; ; i++) {
    try {
      await call('GET', '/status');
      break;
    } catch (error) {
      if (i >= 100) {
        stop(driver);
        throw new Error(`WebKitWebDriver did not start: ${String(error)} ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const created = (await call('POST', '/session', {
    capabilities: {
      alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } },
    },
  })) as { sessionId: string; capabilities: { browserName?: string; browserVersion?: string } };
  const session = `/session/${created.sessionId}`;
  // WebDriver commands go to the current window: each page's command switches to its window
  // first, one command at a time, so pages used at once do not interleave their switches.
  let current = (await call('GET', `${session}/window`)) as string;
  let firstWindowUnused = true;
  let queue: Promise<unknown> = Promise.resolve();
  const inWindow = <T>(handle: string, command: () => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      if (current !== handle) {
        await call('POST', `${session}/window`, { handle });
        current = handle;
      }
      return command();
    });
    queue = run.catch(() => undefined);
    return run;
  };
  const pageOf = (handle: string): BrowserPage => ({
    goto: (url) => inWindow(handle, async () => void (await call('POST', `${session}/url`, { url }))),
    evaluate: <T>(expression: string) => inWindow(handle, async () => (await call('POST', `${session}/execute/sync`, { script: `return (${expression});`, args: [] })) as T),
    close: () =>
      inWindow(handle, async () => {
        await call('DELETE', `${session}/window`);
        current = '';
      }),
  });
  const context: BrowserContextDriver = {
    async newPage() {
      if (firstWindowUnused) {
        firstWindowUnused = false;
        return pageOf(current);
      }
      const opened = await inWindow(current, () => call('POST', `${session}/window/new`, { type: 'tab' }) as Promise<{ handle: string }>);
      return pageOf(opened.handle);
    },
    close: async () => {
      await call('DELETE', session).catch(() => undefined);
      stop(driver);
    },
  };
  return { context, version: `WebKitGTK ${created.capabilities.browserName ?? 'MiniBrowser'} ${created.capabilities.browserVersion ?? ''}`.trim() };
}

export const webkitKind: BrowserKind = {
  name: 'webkit',
  requires: [
    { path: WEBKIT_DRIVER, apt: 'webkit2gtk-driver' },
    { path: MINIBROWSER, apt: 'webkit2gtk-driver' },
    { path: XVFB, apt: 'xvfb' },
  ],
  async launch() {
    const xvfb = await startXvfb();
    const sessions: BrowserContextDriver[] = [];
    // The version comes with the first session; reading it costs a session of its own.
    const probe = await webkitSession(xvfb.display).catch((error: unknown) => {
      stop(xvfb.process);
      throw error;
    });
    await probe.context.close();
    const newContext = async (): Promise<BrowserContextDriver> => {
      const { context } = await webkitSession(xvfb.display);
      sessions.push(context);
      return context;
    };
    return {
      name: 'webkit',
      version: probe.version,
      async newPage() {
        const context = await newContext();
        return { ...(await context.newPage()), close: () => context.close() };
      },
      newContext,
      async close() {
        await Promise.all(sessions.map((context) => context.close()));
        stop(xvfb.process);
      },
    };
  },
};

/** Which of `kind.requires` is missing, as an install hint; empty when the browser can run. */
export function missingBrowser(kind: BrowserKind): string[] {
  return kind.requires.filter((item) => !existsSync(item.path)).map((item) => `${item.path} (apt-get install -y ${item.apt})`);
}
