// An outside review found: useConnectionState() shows 'connecting' while the client is 'reconnecting'.
// The React face of pulse-state-change-unreported.test.ts: the first token is refused as expired
// and authCallback is fetching a new one, so `pulse.state` is 'reconnecting' (a failed attempt),
// but the client emitted no state change and no error, so the provider's hub never told React,
// and the hook keeps the state it read before the refusal.
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, useConnectionState } from '../src/react/index.js';
import { flush, setupPulse } from './helpers.js';

afterAll(closeDomWindow);
afterEach(cleanup);

/** A client whose first token the service refuses as expired; the refresh is still on its way. */
function refusedFirstToken() {
  const setup = setupPulse({ authCallback: () => new Promise<string>(() => {}) });
  setup.pulse.on('error', () => {});
  return setup;
}

describe('useConnectionState after a first attempt refused for an expired token', () => {
  it('useConnectionState shows the state the client is in', async () => {
    const { pulse, ws } = refusedFirstToken();
    let shown = '';
    function Status(): ReactNode {
      shown = useConnectionState();
      return null;
    }
    render(h(PulseProvider, { client: pulse }, h(Status)));
    await act(async () => {
      await flush();
    });
    expect(shown).toBe('connecting');
    await act(async () => {
      ws.last.refuse(401, { code: 'token_expired', error: 'token expired' });
      await flush();
    });
    expect(pulse.state).toBe('reconnecting');
    // Actual: the hook still shows 'connecting' (nothing told the hub).
    expect(shown).toBe(pulse.state);
  });
});
