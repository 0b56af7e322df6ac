// An outside review found: usePresence(channel, data): "the component is also a member while mounted". An enter refused
// while the connection stays up (rate_limited past the frame allowance) arms the hub's retry on
// the next *change* to `connected`: with the connection staying up, the mounted component is never
// entered again (for as long as the connection lasts), though hub.ts's comment lists "a refusal
// such as rate_limited" among what the retry covers.
import { closeDomWindow } from './react-dom-globals.js';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, usePresence, usePulseClient } from '../src/react/index.js';
import type Pulse from '../src/index.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { makeToken } from './helpers.js';

afterAll(closeDomWindow);
let client: Pulse | undefined;
afterEach(() => {
  cleanup();
  client?.disconnect();
});

let last: { count: number; error: string | undefined } = { count: 0, error: undefined };
function Member(): ReactNode {
  client = usePulseClient();
  const { count, error } = usePresence('room', { name: 'ada' });
  last = { count, error: error?.code };
  return null;
}

const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

describe('usePresence enter refused while connected', () => {
  it('rate_limited enter: the mounted member is entered again (the connection never dropped)', async () => {
    const clock = createFakeClock();
    const ws = createFakeWebSocket();
    const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 * 24 });
    render(h(PulseProvider, { options: { kbId: 'kb', token, WebSocket: ws.WebSocket, clock, random: () => 0 } }, h(Member)));
    await tick();
    ws.last.accept();
    await tick();
    const enters = () => ws.last.actions.filter((a) => a.action === 'presence_enter' || a.action === 'presence_update').length;
    expect(enters()).toBe(1);
    // The service refuses the enter (frame allowance), then answers the ping after it.
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'over 200 frames per second', channel: 'room' });
    ws.last.pong();
    await tick();
    expect(last.error).toBe('rate_limited');
    expect(client!.state).toBe('connected');
    // The client told the service "not entered" after the refusal, checked by a ping of its own: answered.
    ws.last.pong();
    // A minute on a healthy connection.
    ws.autoPong = true;
    for (let t = 0; t < 60; t++) {
      clock.advance(1000);
      await tick();
    }
    expect(client!.state).toBe('connected');
    expect(enters()).toBeGreaterThan(1);
  });
});
