// An outside review found: `pulse.state` goes from 'connecting' to 'reconnecting' without onStateChange hearing it.
// The Pulse face derives its state from the engine state and `_retrying` ("`connecting` after a
// lost connection or a failed attempt is `reconnecting` too", docs/connection-states.md), but
// onStateChange only looks when the engine emits a `state` event. When the first attempt is
// refused for an expired token and authCallback can refresh it, the engine goes connecting →
// connecting (`expired`, effect `auth`): no state event, yet `_retrying` became true, so
// `pulse.state` reads 'reconnecting' while every listener was last told 'connecting' (and a
// token_expired refusal that is refreshed is no `error` event either). `onStateChange` promises
// "Calls `callback` with each new state"; the React entry's useConnectionState, which re-reads
// only when the hub hears a change or an error, keeps showing 'connecting'
// (react-connection-state-unreported.test.ts).
import { describe, expect, it } from 'vitest';
import { createFakeWebSocket } from './fake-websocket.js';
import { flush, setupPulse, setupRealtime } from './helpers.js';
import { setup } from './share-tabs.js';

/** A client whose first token the service refuses as expired; the refresh is still on its way. */
function refusedFirstToken() {
  const setup = setupPulse({ authCallback: () => new Promise<string>(() => {}) });
  setup.pulse.on('error', () => {});
  return setup;
}

describe('the Pulse face state after a first attempt refused for an expired token', () => {
  it('onStateChange hears every state pulse.state takes', async () => {
    const { pulse, ws } = refusedFirstToken();
    const heard: string[] = [pulse.state];
    pulse.onStateChange((state) => heard.push(state));
    expect(pulse.state).toBe('connecting');
    ws.last.refuse(401, { code: 'token_expired', error: 'token expired' });
    await flush();
    // A failed attempt: the state is now 'reconnecting' (a new token is being fetched)...
    expect(pulse.state).toBe('reconnecting');
    // ...and listeners must have been told. Actual: heard is ['connecting'] only.
    expect(heard.at(-1)).toBe(pulse.state);
  });
});

// Added with the fix: the same change seen by the other faces.
describe('the same refusal seen by Pulse.Realtime and by the tabs of a shared connection', () => {
  it('Pulse.Realtime: Ably\'s state did not change, so no state change is heard', async () => {
    const { realtime, ws } = setupRealtime({ authCallback: () => new Promise<string>(() => {}) });
    const heard: string[] = [];
    realtime.connection.on((change: { current: string; previous: string }) => heard.push(`${change.previous}>${change.current}`));
    ws.last.refuse(401, { code: 'token_expired', error: 'token expired' });
    await flush();
    expect(realtime.connection.state).toBe('connecting');
    expect(heard).toEqual([]);
  });

  it('shareConnection: every tab hears the leader\'s `reconnecting`', async () => {
    const tabs = setup();
    const leaderWs = createFakeWebSocket();
    const extra = { WebSocket: leaderWs.WebSocket, authCallback: () => new Promise<string>(() => {}) };
    const a = tabs.tab('u1', undefined, extra);
    const b = tabs.tab('u1', undefined, extra);
    await tabs.settle();
    const heard: string[] = [];
    b.pulse.onStateChange((state) => heard.push(state));
    expect([a.pulse.state, b.pulse.state]).toEqual(['connecting', 'connecting']);
    leaderWs.last.refuse(401, { code: 'token_expired', error: 'token expired' });
    await tabs.settle();
    expect([a.pulse.state, b.pulse.state]).toEqual(['reconnecting', 'reconnecting']);
    expect(heard).toEqual(['reconnecting']);
  });
});
