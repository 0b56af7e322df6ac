// An outside review found: a follower tab that the browser froze (tab freezing, Energy Saver, a
// mobile tab in the background) for longer than SILENCE_MS woke with its overdue watchdog running
// before the leader's queued beats, took the silence of its own freeze for the leader's, and stole
// the lock from a healthy leader (a reconnect for every tab, the user's presence member leaving and
// entering again for everyone watching, unconfirmed publishes sent again).
import type { Clock } from '@openkbs-pulse/protocol';
import { describe, expect, it, vi } from 'vitest';
import { Pulse } from '../src/pulse.js';
import { SILENCE_MS, type ShareChannel } from '../src/share.js';
import { BEAT_MS } from '../src/share-leader.js';
import { LOCK, setup } from './share-tabs.js';

/**
 * A tab's clock as a browser runs its timers: `advance` runs each when due; `wake(ms)` is a tab
 * frozen for `ms` (nothing runs), then each timer that fell due meanwhile runs once, late. (The
 * reviewer's test advanced a fake clock through the freeze, which runs every timer on time: a
 * tab that was never frozen, only deaf. This one is what a browser does on resume.)
 */
function tabClock(start: number): Clock & { advance(ms: number): void; wake(ms: number): void } {
  let now = start;
  let next = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  const due = (until: number) => [...timers].filter(([, t]) => t.at <= until).sort((x, y) => x[1].at - y[1].at || x[0] - y[0]);
  const fire = ([id, t]: [number, { run: () => void }]) => timers.delete(id) && t.run();
  return {
    now: () => now,
    setTimeout: (run, ms) => (timers.set(++next, { at: now + ms, run }), next),
    clearTimeout: (handle) => void timers.delete(handle as number),
    advance(ms) {
      const until = now + ms;
      for (let d = due(until)[0]; d; d = due(until)[0]) {
        now = Math.max(now, d[1].at);
        fire(d);
      }
      now = until;
    },
    wake(ms) {
      now += ms;
      for (const d of due(now)) if (timers.has(d[0])) fire(d);
    },
  };
}

describe('shareConnection: a frozen follower wakes up', () => {
  it('it does not steal the lock from a leader that kept beating, and still takes it from one that then stays silent', async () => {
    const { ws, tab, settle, browser, clock, options } = setup();
    const a = tab();
    // Tab b: its own clock (its timers stop while it is frozen) and its channel recorded.
    const clockB = tabClock(clock.now());
    const t = browser.tab();
    const ports: ShareChannel[] = [];
    const Base = t.env.BroadcastChannel! as unknown as new (name: string) => ShareChannel;
    class Recorded extends Base {
      constructor(name: string) {
        super(name);
        ports.push(this);
      }
    }
    vi.stubGlobal('navigator', { locks: t.env.locks });
    vi.stubGlobal('BroadcastChannel', Recorded);
    const b = new Pulse({ ...options(), clock: clockB });
    vi.unstubAllGlobals();
    try {
      await settle();
      ws.last.accept();
      await settle();
      expect(b.state).toBe('connected');
      expect(browser.holder(LOCK)?.env).toBe(a.env);

      // b is frozen: its timers do not run, messages to it wait in its queue.
      const port = ports[0]!;
      const handle = port.onmessage!;
      const queued: { data: unknown }[] = [];
      port.onmessage = (e) => void queued.push(e);
      // The leader is alive and beats all along.
      for (let elapsed = 0; elapsed < SILENCE_MS + 10_000; elapsed += 5_000) {
        clock.advance(5_000);
        await settle();
      }
      // b wakes: its overdue watchdog runs, then its queued messages (the leader's beats).
      clockB.wake(SILENCE_MS + 10_000);
      port.onmessage = handle;
      for (const e of queued) handle(e);
      await settle();

      expect(browser.holder(LOCK)?.env).toBe(a.env);
      expect(ws.sockets).toHaveLength(1);
      expect(ws.sockets[0]!.closedByClient).toBe(false);

      // The fresh window is one window: a leader silent from now on (frozen itself) loses the lock.
      const silent = vi.spyOn(a.env.BroadcastChannel!.prototype, 'postMessage').mockImplementation(() => undefined);
      for (let elapsed = 0; elapsed <= SILENCE_MS + 5_000; elapsed += 5_000) {
        clock.advance(5_000);
        clockB.advance(5_000);
        await settle();
      }
      silent.mockRestore();
      expect(browser.holder(LOCK)?.env).toBe(t.env);
      expect(ws.sockets[0]!.closedByClient).toBe(true);
    } finally {
      b.disconnect();
    }
  });

  // An outside review found: the watchdog gave a fresh window only when it ran over 60 s late, but
  // the silence it measured was its lateness plus the time from the last beat to the moment it was
  // set (up to about 10 s): a follower frozen for about 60-65 s still stole the lock.
  it('a follower frozen for 62 s (its watchdog 57 s late) does not steal the lock from a leader that kept beating', async () => {
    expect(SILENCE_MS - BEAT_MS).toBe(60_000);
    const { ws, tab, settle, browser, clock, options } = setup();
    const a = tab();
    await settle();
    ws.last.accept();
    await settle();
    // b starts 4.9 s into the leader's beat period: its watchdog runs 100 ms before each beat.
    clock.advance(4_900);
    await settle();
    const clockB = tabClock(clock.now());
    const t = browser.tab();
    const ports: ShareChannel[] = [];
    const Base = t.env.BroadcastChannel! as unknown as new (name: string) => ShareChannel;
    class Recorded extends Base {
      constructor(name: string) {
        super(name);
        ports.push(this);
      }
    }
    vi.stubGlobal('navigator', { locks: t.env.locks });
    vi.stubGlobal('BroadcastChannel', Recorded);
    const b = new Pulse({ ...options(), clock: clockB });
    vi.unstubAllGlobals();
    try {
      await settle();
      expect(b.state).toBe('connected');
      // A few healthy periods, both tabs' clocks running.
      for (let i = 0; i < 40; i++) {
        clock.advance(250);
        clockB.advance(250);
        await settle();
      }
      // 10 s after b started, its watchdog just ran (due again in 5 s); the last beat b saw was 4.9 s ago.
      expect(browser.holder(LOCK)?.env).toBe(a.env);

      // b is frozen for 62 s: its timers do not run, messages wait in its queue. The leader beats all along.
      const port = ports[0]!;
      const handle = port.onmessage!;
      const queued: { data: unknown }[] = [];
      port.onmessage = (e) => void queued.push(e);
      for (let elapsed = 0; elapsed < 62_000; elapsed += 500) {
        clock.advance(500);
        await settle();
      }
      // b wakes: its overdue watchdog (57 s late) runs, then its queued messages (the beats).
      clockB.wake(62_000);
      port.onmessage = handle;
      for (const e of queued) handle(e);
      await settle();

      // The leader was healthy all along: it keeps the lock, the one socket stays open.
      expect(browser.holder(LOCK)?.env).toBe(a.env);
      expect(ws.sockets).toHaveLength(1);
      expect(ws.sockets[0]!.closedByClient).toBe(false);
    } finally {
      b.disconnect();
    }
  });
});
