// An outside review found: The hub keeps one PresenceStore (closures, the channel's face, and its last snapshot of
// members) per channel ever watched, for the life of the client: an app with a channel per
// document (usePresence(`doc-${id}`)) grows without bound, though the engine forgets each channel
// (channel-state.ts: "so an app with a channel per document does not grow without bound").
import { describe, expect, it } from 'vitest';
import { PulseHub } from '../src/react/hub.js';
import { flush, setupPulse } from './helpers.js';

const macrotask = () => new Promise((r) => setTimeout(r, 5));

describe('hub presence stores with a channel per document', () => {
  it('a store whose last reader left is forgotten (like the engine forgets the channel)', async () => {
    const { pulse, ws, clock } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const hub = new PulseHub(pulse);
    hub.acquire();
    for (let i = 0; i < 200; i++) {
      const store = hub.presence(pulse, `doc-${i}`);
      const off = store.subscribe(() => {});
      await flush();
      off();
    }
    // 600 frames and more: past the pace's burst (transport.ts), the rest go out over a few seconds.
    for (let s = 0; s < 10; s++) {
      clock.advance(1_000);
      await flush();
    }
    await macrotask();
    await flush();
    // The engine forgot every document channel.
    expect(pulse.channel('doc-1')).not.toBe(pulse.channel('doc-1'));
    const stores = (hub as unknown as { presenceStores: WeakMap<object, Map<string, unknown>> }).presenceStores.get(pulse);
    expect(stores?.size ?? 0).toBe(0);
  });
});
