/**
 * A fake browser for `shareConnection` unit tests: Web Locks (exclusive, queued, `signal`,
 * `steal`) and `BroadcastChannel` (delivery a microtask later, never to the sender), shared by
 * the tabs it makes. `crash()` is a tab gone without a word: its channels stop, its locks go.
 * @module
 */
import type { ShareChannel, ShareEnv, ShareLocks } from '../src/share.js';

interface LockRequest {
  tab: FakeTab;
  callback: () => Promise<void>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface FakeTab {
  env: ShareEnv;
  /** The tab is gone: its channels are closed and its lock released (as the browser does). */
  crash(): void;
  readonly crashed: boolean;
}

export interface FakeBrowser {
  tab(): FakeTab;
  /** The tab holding lock `name`, if any. */
  holder(name: string): FakeTab | undefined;
  /** Messages posted so far. */
  readonly posted: unknown[];
}

const abortError = (): Error => Object.assign(new Error('aborted'), { name: 'AbortError' });

export function createFakeBrowser(): FakeBrowser {
  const channels = new Set<{ name: string; tab: FakeTab; port: ShareChannel }>();
  const held = new Map<string, LockRequest>();
  const waiting = new Map<string, LockRequest[]>();
  const posted: unknown[] = [];

  const grant = (name: string): void => {
    if (held.has(name)) return;
    const next = waiting.get(name)?.shift();
    if (!next) return;
    held.set(name, next);
    next.callback().then(
      (value) => {
        if (held.get(name) === next) {
          held.delete(name);
          next.resolve(value);
          grant(name);
        }
      },
      () => undefined,
    );
  };

  const tab = (): FakeTab => {
    const self: FakeTab = {
      crashed: false,
      env: {},
      crash() {
        (self as { crashed: boolean }).crashed = true;
        for (const c of [...channels]) if (c.tab === self) channels.delete(c);
        for (const [name, lock] of [...held]) {
          if (lock.tab === self) {
            held.delete(name);
            grant(name);
          }
        }
        for (const list of waiting.values()) for (const r of [...list]) if (r.tab === self) list.splice(list.indexOf(r), 1);
      },
    };
    const locks: ShareLocks = {
      request(name, options, callback) {
        return new Promise((resolve, reject) => {
          if (self.crashed) return;
          const request: LockRequest = { tab: self, callback, resolve, reject };
          if (options.steal) {
            const current = held.get(name);
            held.delete(name);
            current?.reject(abortError());
            (waiting.get(name) ?? waiting.set(name, []).get(name)!).unshift(request);
            return grant(name);
          }
          options.signal?.addEventListener('abort', () => {
            const list = waiting.get(name) ?? [];
            if (list.includes(request)) {
              list.splice(list.indexOf(request), 1);
              reject(abortError());
            }
          });
          (waiting.get(name) ?? waiting.set(name, []).get(name)!).push(request);
          grant(name);
        });
      },
    };
    class Channel implements ShareChannel {
      onmessage: ShareChannel['onmessage'] = null;
      private readonly entry: { name: string; tab: FakeTab; port: ShareChannel };
      constructor(readonly name: string) {
        this.entry = { name, tab: self, port: this };
        channels.add(this.entry);
      }
      postMessage(message: unknown): void {
        if (!channels.has(this.entry)) return;
        posted.push(message);
        // Structured clone: the receiver gets a copy.
        const copy = structuredClone(message);
        for (const c of channels) {
          if (c.name === this.name && c.port !== this) queueMicrotask(() => channels.has(c) && c.port.onmessage?.({ data: copy }));
        }
      }
      close(): void {
        channels.delete(this.entry);
      }
    }
    self.env = { locks, BroadcastChannel: Channel };
    return self;
  };

  return { tab, holder: (name) => held.get(name)?.tab, posted };
}
