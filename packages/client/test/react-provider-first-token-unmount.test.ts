// An outside review found: Review F: the provider's first-token deadline (firstAnswer) outliving the provider.
import { closeDomWindow } from './react-dom-globals.js';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, useConnectionState } from '../src/react/index.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { makeToken } from './helpers.js';

afterAll(closeDomWindow);
afterEach(cleanup);

function Probe(): ReactNode {
  useConnectionState();
  return null;
}
const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

describe('provider unmounted while its first token is fetched', () => {
  it('control: the engine itself, disconnected during a token refresh, leaves no timer', async () => {
    const { default: Pulse } = await import('../src/index.js');
    const clock = createFakeClock();
    const ws = createFakeWebSocket();
    const expired = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) - 10 });
    const pulse = new Pulse({ kbId: 'kb', token: expired, WebSocket: ws.WebSocket, clock, authCallback: () => new Promise<string>(() => {}) });
    await tick();
    pulse.disconnect();
    await tick();
    expect(clock.pending).toBe(0);
  });

  it('an authCallback that has not answered leaves no deadline timer once the provider unmounted', async () => {
    const clock = createFakeClock();
    const ws = createFakeWebSocket();
    const authCallback = () => new Promise<string>(() => {}); // a token endpoint that hangs
    const view = render(h(PulseProvider, { options: { kbId: 'kb', authCallback, WebSocket: ws.WebSocket, clock } }, h(Probe)));
    await tick();
    view.unmount();
    await tick();
    // The provider (and the client it would have created) is gone: nothing may stay armed.
    expect({ pending: clock.pending, sockets: ws.sockets.length }).toEqual({ pending: 0, sockets: 0 });
  });
});
