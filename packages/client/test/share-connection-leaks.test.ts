// An outside review found: a shareConnection client kept its BroadcastChannel open after
// disconnect() (and opened it in its constructor), so a dropped client was never garbage-collected
// and handled every message the leader posted, for the life of the page.
import { describe, expect, it, vi } from 'vitest';
import { Pulse } from '../src/pulse.js';
import type { ShareChannel } from '../src/share.js';
import { setup } from './share-tabs.js';

describe('shareConnection: a disconnected client lets go', () => {
  it("disconnect() releases the client's BroadcastChannel: a dropped client (e.g. one a remounted <PulseProvider> disconnected) does not keep handling every message", async () => {
    const { ws, tab, settle, browser, options } = setup();
    const a = tab();
    // Tab b, with its BroadcastChannel instances recorded.
    const t = browser.tab();
    const ports: ShareChannel[] = [];
    const Base = t.env.BroadcastChannel!;
    class Recorded extends (Base as unknown as new (name: string) => ShareChannel) {
      constructor(name: string) {
        super(name);
        ports.push(this);
      }
    }
    vi.stubGlobal('navigator', { locks: t.env.locks });
    vi.stubGlobal('BroadcastChannel', Recorded);
    const b = new Pulse(options());
    vi.unstubAllGlobals();
    await settle();
    ws.last.accept();
    await settle();
    expect(ports).toHaveLength(1);
    const closed = vi.spyOn(ports[0]!, 'close');
    b.disconnect();
    await settle();
    // After disconnect, count what still reaches b's channel handler.
    let handled = 0;
    const original = ports[0]!.onmessage;
    ports[0]!.onmessage = (e) => {
      handled++;
      original?.(e);
    };
    a.pulse.channel('x').subscribe('m', () => undefined);
    await settle();
    for (let i = 0; i < 5; i++) ws.last.receive({ type: 'message', channel: 'x', data: { type: 'm', n: i }, timestamp: i });
    await settle();
    // An open BroadcastChannel with a message handler is never garbage collected by a browser:
    // the whole client (channels, listeners, emitter) stays alive and structured-clones every
    // message the leader posts, for the life of the page.
    expect({ closed: closed.mock.calls.length > 0, handledAfterDisconnect: handled }).toEqual({ closed: true, handledAfterDisconnect: 0 });
  });
});
