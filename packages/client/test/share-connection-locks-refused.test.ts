// An outside review found: where the Web Locks API is present but refuses (opaque origin: a
// sandboxed iframe without allow-same-origin, a data: URL; request() rejects with SecurityError)
// a shareConnection client never connected, instead of connecting on its own.
import { describe, expect, it, vi } from 'vitest';
import { Pulse } from '../src/pulse.js';
import { outcome, setup } from './share-tabs.js';

describe('shareConnection: Web Locks that refuse', () => {
  it('locks.request() rejects with SecurityError: the client still connects (on its own) and its publish is sent', async () => {
    const { ws, settle, browser, options, clock } = setup();
    const t = browser.tab();
    const denied = () => Promise.reject(Object.assign(new Error('Access to the Locks API is denied in this context.'), { name: 'SecurityError' }));
    vi.stubGlobal('navigator', { locks: { request: denied } });
    vi.stubGlobal('BroadcastChannel', t.env.BroadcastChannel);
    const pulse = new Pulse(options());
    vi.unstubAllGlobals();
    try {
      const sent = outcome(pulse.channel('x').publish('m', { n: 1 }));
      for (let i = 0; i < 10 && ws.sockets.length === 0; i++) {
        clock.advance(1_000);
        await settle();
      }
      // Waiting for a leader that never comes, the state would stay 'connecting' and the publish
      // reject with `timeout` after connectionStateTtlMs + 65 s.
      expect(ws.sockets.length).toBe(1);
      ws.last.accept();
      await settle();
      expect(pulse.state).toBe('connected');
      expect(sent).toEqual({ done: true, v: 'resolved' });
      // It leads no other tab: without a lock, a second leader heard on the channel would serve
      // the others' requests twice.
      expect(browser.posted.map((m) => (m as { k: string }).k)).not.toContain('lead');
      expect(browser.posted.map((m) => (m as { k: string }).k)).not.toContain('state');
    } finally {
      pulse.disconnect();
    }
  });
});
