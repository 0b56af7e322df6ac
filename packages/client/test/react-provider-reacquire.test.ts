// An outside review found: a provider hidden and shown again (React 19 <Activity>) kept the failure
// of its earlier attempt: `failed` while the new first token was fetched, and the old error after
// the new client connected. A new attempt now starts with neither.
//
// Expected: a provider whose hub is used again after it was hidden (React 19's <Activity
// mode="hidden"> destroys the provider's effects and keeps its state, so the SAME PulseHub gets
// release() then acquire() again; also Suspense/Offscreen re-shows) starts over cleanly: while
// its new first token is fetched, useConnectionState() says 'connecting' (docs: "'connecting' ...
// while the first token is fetched; 'failed' when fetching it failed"), and once the new client
// is connected useConnectionError() no longer reports the earlier attempt's failure
// (react.md: usePresence's error "clears"; the provider's error is "the last error of the
// provider's client (or of fetching its first token)": the new client had none).
//
// Actual: hub.ts keeps `failed = true` and `error` from the earlier attempt across release() /
// acquire(): create() resets neither, so the state reads 'failed' during the new fetch (an app
// shows its "could not connect" screen while it is connecting), and useConnectionError() keeps
// returning the old first-token failure while the client is connected.
//
// Fix: hub.ts release() (or create()) resets `failed` and `error` when it drops its client, or
// adopt()/create() clears them for the new attempt.
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { Activity, createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, useConnectionError, useConnectionState, usePulseClient } from '../src/react/index.js';
import type Pulse from '../src/index.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { makeToken } from './helpers.js';

afterAll(closeDomWindow);
let client: Pulse | undefined;
afterEach(() => {
  cleanup();
  client?.disconnect();
});

let state = '';
let errorCode: string | undefined;
function Probe(): ReactNode {
  state = useConnectionState();
  errorCode = useConnectionError()?.code;
  client = usePulseClient() ?? client;
  return null;
}
const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

describe('a provider hidden and shown again after its first token failed', () => {
  async function hiddenThenShown() {
    const ws = createFakeWebSocket();
    const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(Date.now() / 1000) + 3600 });
    let calls = 0;
    let answer: ((v: { kbId: string; token: string }) => void) | undefined;
    const authCallback = () => {
      calls++;
      if (calls === 1) return Promise.reject(new Error('token endpoint down'));
      return new Promise<{ kbId: string; token: string }>((resolve) => (answer = resolve));
    };
    const options = { authCallback, WebSocket: ws.WebSocket, random: () => 0 } as never;
    const view = render(h(Activity, { mode: 'visible', children: h(PulseProvider, { options }, h(Probe)) }));
    await tick();
    expect({ state, errorCode }).toEqual({ state: 'failed', errorCode: 'invalid_response' });
    view.rerender(h(Activity, { mode: 'hidden', children: h(PulseProvider, { options }, h(Probe)) }));
    await tick();
    view.rerender(h(Activity, { mode: 'visible', children: h(PulseProvider, { options }, h(Probe)) }));
    await tick();
    // The shown-again provider asked for a new first token, and waits for it.
    expect(calls).toBe(2);
    return { ws, answer: () => answer!({ kbId: 'kb', token }) };
  }

  it('is connecting (not failed) while the new first token is fetched', async () => {
    await hiddenThenShown();
    expect(state).toBe('connecting');
  });

  it('once the new client is connected, useConnectionError() is not the earlier attempt\'s failure', async () => {
    const { ws, answer } = await hiddenThenShown();
    answer();
    await tick();
    ws.last.accept();
    await tick();
    expect({ state, errorCode }).toEqual({ state: 'connected', errorCode: undefined });
  });
});
