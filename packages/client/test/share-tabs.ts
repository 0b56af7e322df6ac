// Tabs of one browser sharing a connection, on fakes (share-fakes.ts, fake WebSocket and clock):
// `setup()` gives `tab()` / `realtimeTab()` (each a client with shareConnection), a `rogue()`
// same-origin BroadcastChannel and `settle()`; clients are disconnected after each test.
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { afterEach, vi } from 'vitest';
import { Pulse, type PulseOptions } from '../src/pulse.js';
import { Realtime } from '../src/realtime.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { flush, makeToken } from './helpers.js';
import { createFakeBrowser, type FakeBrowser } from './share-fakes.js';

const LOCK = 'openkbs-pulse:kb:u1';
/** Clients disconnected after each test (push one made outside `setup()`). */
export const opened: Pick<Pulse, 'disconnect'>[] = [];
afterEach(() => {
  for (const pulse of opened.splice(0)) pulse.disconnect();
});

export function setup() {
  const clock = createFakeClock();
  const ws = createFakeWebSocket(false);
  ws.autoPong = true;
  const browser = createFakeBrowser();
  const options = (userId = 'u1'): PulseOptions => ({
    kbId: 'kb',
    token: makeToken({ userId, endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 }),
    WebSocket: ws.WebSocket,
    clock,
    random: () => 0,
    shareConnection: true,
  });
  const tab = (userId = 'u1', b: FakeBrowser = browser, extra: Partial<PulseOptions> = {}) => {
    const t = b.tab();
    vi.stubGlobal('navigator', { locks: t.env.locks });
    vi.stubGlobal('BroadcastChannel', t.env.BroadcastChannel);
    try {
      const errors: unknown[] = [];
      const pulse = new Pulse({ ...options(userId), ...extra });
      pulse.on('error', (e) => errors.push(e));
      opened.push(pulse);
      return { ...t, pulse, errors };
    } finally {
      vi.unstubAllGlobals();
    }
  };
  const realtimeTab = () => {
    const t = browser.tab();
    vi.stubGlobal('navigator', { locks: t.env.locks });
    vi.stubGlobal('BroadcastChannel', t.env.BroadcastChannel);
    try {
      const realtime = new Realtime({ ...options(), clientId: 'u1' });
      opened.push({ disconnect: () => realtime.close() });
      return { ...t, realtime };
    } finally {
      vi.unstubAllGlobals();
    }
  };
  /** A rogue same-origin tab: just a BroadcastChannel on the lock's name. */
  const rogue = () => new (browser.tab().env.BroadcastChannel!)(LOCK);
  const settle = async () => {
    for (let i = 0; i < 10; i++) await flush();
  };
  return { clock, ws, browser, tab, realtimeTab, settle, options, rogue };
}

/** Two Realtime tabs of one user, connected: the first leads, `b` follows. */
export async function connectedFollower() {
  const tabs = setup();
  tabs.realtimeTab();
  const b = tabs.realtimeTab();
  await tabs.settle();
  tabs.ws.last.accept();
  await tabs.settle();
  return { ...tabs, b };
}

export const codeOf = (e: unknown) => (e as { code?: string })?.code ?? e;

export const outcome = (p: Promise<unknown>) => {
  const o: { v?: unknown; done: boolean } = { done: false };
  p.then(
    () => Object.assign(o, { v: 'resolved', done: true }),
    (e: unknown) => Object.assign(o, { v: e, done: true }),
  );
  return o;
};

export { LOCK };
