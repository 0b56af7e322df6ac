// docs/getting-started.md "A complete backend and page", run as written: server.mjs and
// index.html are taken from the page, server.mjs runs in Node (against the local service, through
// OPENKBS_API_URL) and two Chromium tabs open it: each sees two people online and the other's
// message.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const built = existsSync(join(root, 'packages/client/pulse.js')) && existsSync(join(root, 'packages/client/dist/server.mjs'));
// Skipped only on a machine without Chromium (or without a build) outside CI; in CI it must run.
const skip = !process.env.CI && (!existsSync(CHROMIUM) || !built);
if (skip) console.warn('[getting-started] browser test skipped: needs Chromium and a build (corepack pnpm build)');

/** The code block of `lang` right after the heading line `heading` of docs/getting-started.md. */
function block(heading: string, lang: string): string {
  const text = readFileSync(join(root, 'docs/getting-started.md'), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/getting-started.md has no heading "${heading}"`);
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(text.slice(at));
  if (!match) throw new Error(`no ${lang} block after "${heading}"`);
  return match[1]!;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const dir = join(root, '.tmp', `getting-started-${process.pid}`);
let service: PulseService;
let backend: ChildProcess | undefined;
let browser: Browser | undefined;
let url: string;
let output = '';

beforeAll(async () => {
  if (skip) return;
  service = await createPulseService();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'server.mjs'), block('### server.mjs', 'js'));
  writeFileSync(join(dir, 'index.html'), block('### index.html', 'html'));
  const port = await freePort();
  url = `http://localhost:${port}`;
  backend = spawn(process.execPath, ['server.mjs'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), OPENKBS_KB_ID: service.kbId, OPENKBS_API_KEY: service.apiKey, OPENKBS_API_URL: service.apiUrl },
  });
  backend.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    backend!.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`open ${url}`)) resolve();
    });
    backend!.once('exit', (code) => reject(new Error(`server.mjs exited with ${code}: ${output}`)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  backend?.kill();
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = (page: Page, selector: string) => page.locator(selector).textContent();

describe.skipIf(skip)('getting started: the complete backend and page', () => {
  it('two tabs see each other online and each other\'s messages', async () => {
    const [a, b] = await Promise.all([browser!.newPage(), browser!.newPage()]);
    const errors: string[] = [];
    for (const page of [a!, b!]) page.on('pageerror', (error) => errors.push(error.message));
    await Promise.all([a!.goto(url), b!.goto(url)]);
    for (const page of [a!, b!]) {
      await page.waitForFunction(() => document.getElementById('state')?.textContent === 'connected');
      await page.waitForFunction(() => document.getElementById('online')?.textContent === '2');
    }
    await a!.fill('#text', 'hello from a');
    await a!.click('button');
    for (const page of [a!, b!]) {
      await page.waitForFunction(() => Array.from(document.querySelectorAll('#messages li')).some((li) => li.textContent?.endsWith(': hello from a')));
    }
    expect(await text(b!, '#messages li')).toMatch(/^guest-\w+: hello from a$/);
    expect(errors).toEqual([]);
    expect(output).not.toContain('Error');
  });
});
