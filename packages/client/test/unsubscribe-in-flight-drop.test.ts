// An outside review found: A channel let go is kept until its unsubscribe is taken (ed10838). When the connection drops
// with the unsubscribe in flight, _down forgets the request but never re-runs _sync, so the idle
// channel stays in the engine while the client is disconnected/suspended/closed/failed (it is
// only dropped by the next resume()). Before ed10838 it was forgotten at once.
import { describe, expect, it } from 'vitest';
import { flush, setupPulse } from './helpers.js';

describe('unsubscribe in flight when the connection goes', () => {
  it('drop, then disconnect(): the idle channels are forgotten (channel(name) makes a new object each call)', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const offs = Array.from({ length: 3 }, (_, i) => pulse.channel(`doc-${i}`).subscribe(() => {}));
    await flush();
    ws.last.pong();
    await flush();
    for (const off of offs) off(); // unsubscribes sent, their pong not come yet
    ws.last.drop(1006);
    pulse.disconnect();
    await flush();
    expect(pulse.channel('doc-1')).not.toBe(pulse.channel('doc-1'));
  });

  it('control: let go while disconnected, the channel is forgotten at once', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const off = pulse.channel('doc-1').subscribe(() => {});
    await flush();
    ws.last.pong();
    await flush();
    ws.last.drop(1006);
    off();
    pulse.disconnect();
    await flush();
    expect(pulse.channel('doc-1')).not.toBe(pulse.channel('doc-1'));
  });
});
