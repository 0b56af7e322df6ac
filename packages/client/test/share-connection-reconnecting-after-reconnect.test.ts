// An outside review found: a shared tab that disconnect()s while reconnecting and connect()s again announces a spurious 'reconnecting'.
// The engine's `watch` effect (every `connect` row) resets `_retrying`: a plain client goes
// disconnected → connecting. A shared tab's `_connect()` calls `setState('connecting')`, whose `r`
// defaults to the tab's last `retrying` (true from the lost connection before disconnect()), so
// `pulse.state` reads 'reconnecting' at once; since d224beb the leader's `connecting` with
// `r: false` that follows is told as a state event too, so onStateChange (and useConnectionState)
// hear disconnected → reconnecting → connecting where a plain client hears disconnected →
// connecting. (Before d224beb the tab stayed 'reconnecting' until connected.)
import { describe, expect, it } from 'vitest';
import { flush, setupPulse } from './helpers.js';
import { setup } from './share-tabs.js';

describe('connect() after disconnect() during a reconnect', () => {
  it('a plain client: disconnected → connecting', async () => {
    const { pulse, ws } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    await flush();
    ws.last.drop();
    await flush();
    pulse.disconnect();
    await flush();
    const heard: string[] = [pulse.state];
    pulse.onStateChange((s) => heard.push(s));
    pulse.connect();
    expect(pulse.state).toBe('connecting');
    await flush();
    expect(heard).toEqual(['disconnected', 'connecting']);
  });

  it('a shared tab hears the same: no reconnecting on the way', async () => {
    const tabs = setup();
    const a = tabs.tab();
    await tabs.settle();
    tabs.ws.last.accept();
    await tabs.settle();
    tabs.ws.last.drop();
    await tabs.settle();
    expect(a.pulse.state).toBe('reconnecting');
    a.pulse.disconnect();
    await tabs.settle();
    const heard: string[] = [a.pulse.state];
    a.pulse.onStateChange((s) => heard.push(s));
    a.pulse.connect();
    // Actual: 'reconnecting' (the last connection's retrying).
    expect(a.pulse.state).toBe('connecting');
    await tabs.settle();
    // Actual: ['disconnected', 'reconnecting', 'connecting'].
    expect(heard).toEqual(['disconnected', 'connecting']);
  });
});
