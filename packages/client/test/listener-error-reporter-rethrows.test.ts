import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, setupRealtime } from './helpers.js';

const member = (n: number): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n });

// An outside review found: an onListenerError that rethrows crashed Node through
// presence.get(callback). Now every reporter is guarded where it is made (emitter.ts reporterFor).
// The emitter guards every call of the reporter ("a reporter that throws must not break the emit
// either"), but Realtime presence.get(callback) hands a callback's throw to the reporter inside a
// promise chain with nothing after it: a reporter that rethrows (a common "fail loudly" choice)
// turns into an unhandled rejection, which ends a Node process (realtime.ts:421).
describe('onListenerError that rethrows', () => {
  it('presence.get(callback) whose callback throws causes no unhandled rejection', async () => {
    const { ws, realtime } = setupRealtime({
      onListenerError: (error) => {
        throw error;
      },
    });
    ws.last.accept();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    // Vitest's own handler would also fail the run; ours records it so the assertion says why.
    const others = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', onUnhandled);
    try {
      realtime.channels.get('posts').presence.get(() => {
        throw new Error('bug in my callback');
      });
      ws.last.receive({ type: 'presence', action: 'sync', channel: 'posts', count: 1, members: [member(1)] });
      await flush();
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
      for (const l of others) process.on('unhandledRejection', l);
    }
    expect(unhandled.map(String)).toEqual([]);
  });

  it('the same reporter behind a throwing message listener is harmless (control: the emitter guards it)', async () => {
    const { ws, realtime } = setupRealtime({
      onListenerError: (error) => {
        throw error;
      },
    });
    ws.last.accept();
    let seen = 0;
    const channel = realtime.channels.get('posts');
    channel.subscribe('x', () => {
      throw new Error('bug');
    });
    channel.subscribe('x', () => seen++);
    await flush();
    ws.last.receive({ type: 'message', channel: 'posts', data: { type: 'x' }, timestamp: 1 });
    expect(seen).toBe(1);
  });
});
