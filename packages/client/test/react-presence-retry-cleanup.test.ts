// An outside review found: the hub's presence retry (armRetry) outliving what it serves.
import { closeDomWindow } from './react-dom-globals.js';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { PulseProvider, usePresence, usePulseClient } from '../src/react/index.js';
import type Pulse from '../src/index.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { makeToken, setupPulse } from './helpers.js';

afterAll(closeDomWindow);
let client: Pulse | undefined;
afterEach(() => {
  cleanup();
  client?.disconnect();
  client = undefined;
});

function Member(): ReactNode {
  client = usePulseClient();
  usePresence('room', { name: 'ada' });
  return null;
}
function Watcher(): ReactNode {
  client = usePulseClient();
  usePresence('room');
  return null;
}

const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

async function mounted(child: () => ReactNode) {
  const clock = createFakeClock();
  const ws = createFakeWebSocket();
  const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 * 24 });
  const view = render(h(PulseProvider, { options: { kbId: 'kb', token, WebSocket: ws.WebSocket, clock, random: () => 0 } }, h(child)));
  await tick();
  ws.last.accept();
  ws.autoPong = false;
  await tick();
  return { clock, ws, view };
}

describe('armRetry after the provider unmounts', () => {
  it('control: a provider with usePresence(room) unmounted leaves no timer on its clock', async () => {
    const { clock, ws, view } = await mounted(Watcher);
    ws.last.pong();
    await tick();
    view.unmount();
    await tick();
    expect(client!.state).toBe('disconnected');
    expect(ws.last.closedByClient).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('a retry armed by a rate_limited enter is cancelled when the provider unmounts (client disconnected)', async () => {
    const { clock, ws, view } = await mounted(Member);
    // The service refuses the enter (frame allowance) on a live connection: a retry is armed (1 s).
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'over 200 frames per second', channel: 'room' });
    ws.last.pong();
    await tick();
    expect(client!.state).toBe('connected');
    // The provider unmounts for good: the client is closed.
    view.unmount();
    await tick();
    expect(client!.state).toBe('disconnected');
    expect(ws.last.closedByClient).toBe(true);
    // Nothing may stay armed: Node must be able to exit after the close. (What stays is the
    // hub's 1 s retry: it fires at 1 000 ms and does nothing, the membership is gone.)
    const left = clock.pending;
    clock.advance(999);
    const after999 = clock.pending;
    clock.advance(1);
    expect({ left, after999, after1000: clock.pending }).toEqual({ left: 0, after999: 0, after1000: 0 });
  });
});

const setTimeoutReal = globalThis.setTimeout;
const clearTimeoutReal = globalThis.clearTimeout;

/** Runtime timers of 1 s or more set from now and neither fired nor cleared yet. */
function trackTimers() {
  const live = new Map<unknown, number>();
  const set = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    const handle: unknown = setTimeoutReal(() => {
      live.delete(handle);
      fn();
    }, ms);
    if ((ms ?? 0) >= 1000) live.set(handle, ms!);
    return handle;
  }) as unknown as typeof setTimeout);
  const clear = vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((handle: unknown) => {
    live.delete(handle);
    clearTimeoutReal(handle as ReturnType<typeof setTimeout>);
  }) as typeof clearTimeout);
  return { live: () => [...live.values()], restore: () => (set.mockRestore(), clear.mockRestore()) };
}

describe('armRetry after the membership is gone (a client passed in)', () => {
  for (const refused of [false, true]) {
    it(`${refused ? '' : 'control: '}an enter ${refused ? 'refused' : 'confirmed'} after its component unmounted leaves no retry timer`, async () => {
      const { pulse, ws } = setupPulse();
      ws.last.accept();
      const view = render(h(PulseProvider, { client: pulse }, h(Member)));
      await tick();
      expect(ws.last.actions.filter((a) => a.action === 'presence_enter').length).toBe(1);
      const timers = trackTimers();
      try {
        // The component unmounts while its enter is unanswered; the hub leaves (deferred).
        view.unmount();
        await tick();
        // The service then refuses the enter (rate_limited) on the live connection, or takes it.
        if (refused) ws.last.receive({ type: 'error', code: 'rate_limited', error: 'over 200 frames per second', channel: 'room' });
        ws.last.pong();
        await tick();
        expect(pulse.state).toBe('connected');
        // Nobody wants the membership any more: no retry timer may be left (the app may disconnect and exit now).
        expect(timers.live()).toEqual([]);
      } finally {
        timers.restore();
      }
    });
  }
});

describe('armRetry after disconnect() of a client passed in', () => {
  it('a retry timer armed on a live connection does not outlive disconnect() (Node must be able to exit)', async () => {
    const { pulse, ws } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    render(h(PulseProvider, { client: pulse }, h(Member)));
    await tick();
    const timers = trackTimers();
    try {
      ws.last.receive({ type: 'error', code: 'rate_limited', error: 'over 200 frames per second', channel: 'room' });
      ws.last.pong();
      await tick();
      expect(timers.live()).toEqual([1000]); // the hub's retry, on the live connection
      pulse.disconnect();
      await tick();
      expect(pulse.state).toBe('disconnected');
      expect(timers.live()).toEqual([]);
    } finally {
      timers.restore();
    }
  });
});
