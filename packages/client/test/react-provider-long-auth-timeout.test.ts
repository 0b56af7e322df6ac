// An outside review found: The provider's first authCallback deadline uses the runtime's setTimeout directly, not the
// protocol's systemClock (which caps timers at MAX_TIMER_MS since cd6644d): an authTimeoutMs the
// client itself accepts (> 2^31 - 1 ms) fires after 1 ms, so the first token "times out" at once.
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Pulse from '../src/index.js';
import { PulseProvider, useConnectionError, useConnectionState } from '../src/react/index.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { makeToken } from './helpers.js';

afterAll(closeDomWindow);
afterEach(cleanup);

let state = '';
let errorCode: string | undefined;
function Probe(): ReactNode {
  state = useConnectionState();
  errorCode = useConnectionError()?.code;
  return null;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('provider first token with a long authTimeoutMs', () => {
  it('the client accepts authTimeoutMs: 2 ** 31 (its timers are capped)', () => {
    const ws = createFakeWebSocket();
    const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(Date.now() / 1000) + 3600 });
    expect(() => new Pulse({ kbId: 'kb', token, WebSocket: ws.WebSocket, authTimeoutMs: 2 ** 31, autoConnect: false })).not.toThrow();
  });

  it('authCallback answering after 50 ms with authTimeoutMs: 2 ** 31: the provider gets its client, no timeout', async () => {
    const ws = createFakeWebSocket();
    const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(Date.now() / 1000) + 3600 });
    const authCallback = () => sleep(50).then(() => token);
    render(h(PulseProvider, { options: { kbId: 'kb', authCallback, authTimeoutMs: 2 ** 31, WebSocket: ws.WebSocket } }, h(Probe)));
    await act(async () => {
      await sleep(200);
    });
    expect({ state, errorCode, sockets: ws.sockets.length }).toEqual({ state: 'connecting', errorCode: undefined, sockets: 1 });
  });
});
