// An outside review found: an inspector page whose feed upgrade finished its token check while
// stop() or close() ran was accepted afterwards, and held stop() / close() for as long as it stayed.
//
// Expected (README, Test hooks: "`stop()` waits about a second for close handshakes (clients and
// inspector pages), then drops the sockets that did not answer"; PulseService.stop: "Closes the
// listener and every connection"): the feed is refused with 503 `server_error`, as the service's
// own upgrade refuses a connection once it stopped listening, and stop() / close() settle at once.
//
// Before the fix, Inspector.upgrade awaited the feed token's verification and then accepted the
// feed without looking at whether the service had stopped meanwhile. Inspector.close() had run,
// so the feed was in no drain list: the HTTP server's 'close' (which waits for every socket) never
// came, and stop() / close() never settled while the page stayed (a real page pings for ever:
// pulse-local's Ctrl-C and `afterAll(() => service.close())` hung).
//
// The race is made deterministic with the service clock: the feed token's verification reads
// clock.now() (auth.ts verify) after its first await, and the clock below calls stop() right then.
import type { IncomingMessage } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildConnectUrl, systemClock, type Clock } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, openClient } from './helpers.js';
import { within } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients(); // terminates a stray feed too, so a pending stop()/close() can end
  await service?.close();
  service = undefined;
}, 20_000);

/** The system clock, plus a hook run once at the next now(). */
function hookedClock(): Clock & { onNextNow?: () => void } {
  const clock: Clock & { onNextNow?: () => void } = {
    now() {
      const hook = clock.onNextNow;
      clock.onNextNow = undefined;
      hook?.();
      return systemClock.now();
    },
    setTimeout: (callback, ms) => systemClock.setTimeout(callback, ms),
    clearTimeout: (handle) => systemClock.clearTimeout(handle),
  };
  return clock;
}

type Grant = { kbId: string; token: string; endpoint: string; channel: string };

/** The feed URL of a page, with a grant from the guarded session. */
async function feedUrl(svc: PulseService): Promise<string> {
  const grant = (await (await fetch(`${svc.url}/_inspector/session`)).json()) as Grant;
  return buildConnectUrl(grant.endpoint, { kbId: grant.kbId, token: grant.token, channel: grant.channel });
}

const pages = new Set<WebSocket>();
afterEach(() => {
  for (const ws of pages) ws.terminate();
  pages.clear();
});

/**
 * The refusal of a feed upgrade, or 'accepted': then the page stays connected (as a real one,
 * which pings for ever) until the test ends, so a stop() that waits for it cannot settle.
 */
function refusal(url: string): Promise<{ status: number; code?: string } | 'accepted'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    pages.add(ws);
    ws.once('open', () => resolve('accepted'));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, code: (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code });
      });
    });
    ws.on('error', () => undefined);
  });
}

it('a feed whose upgrade is checked while stop() runs is refused with 503, stop() settles, and a page can connect after start()', async () => {
  const clock = hookedClock();
  service = await createPulseService({ clock });
  const svc = service;
  const url = await feedUrl(svc);
  let stopping: Promise<void> | undefined;
  clock.onNextNow = () => {
    stopping = svc.stop();
  };
  const refused = await refusal(url);
  expect(stopping).toBeDefined(); // the hook ran during the feed's token check
  const settled = await within(stopping!, 3_000);
  expect({ settled, listening: svc.listening, refused }).toEqual({
    settled: undefined,
    listening: false,
    refused: { status: 503, code: 'server_error' },
  });
  await svc.start();
  const page = await within(openClient(url), 5_000); // the inspector still takes pages once back
  expect(page).not.toBe('timed out');
}, 20_000);

it('close() likewise: a feed whose upgrade is checked mid-close is refused with 503 and close() settles', async () => {
  const clock = hookedClock();
  service = await createPulseService({ clock });
  const svc = service;
  const url = await feedUrl(svc);
  let closing: Promise<void> | undefined;
  clock.onNextNow = () => {
    closing = svc.close();
  };
  const refused = await refusal(url);
  expect(closing).toBeDefined();
  expect({ settled: await within(closing!, 3_000), listening: svc.listening, refused }).toEqual({
    settled: undefined,
    listening: false,
    refused: { status: 503, code: 'server_error' },
  });
}, 20_000);
