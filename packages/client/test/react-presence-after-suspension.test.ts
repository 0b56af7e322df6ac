// An outside review found: usePresence(channel, data) promises membership "while mounted". A connection that takes longer
// than connectionStateTtlMs (suspended) rejects the pending enter; when the connection comes back,
// the mounted component should be a member again.
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
function Member({ name = 'ada' }: { name?: string }): ReactNode {
  client = usePulseClient();
  const { count, error } = usePresence('room', { name });
  last = { count, error: error?.code };
  return null;
}

const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

describe('usePresence after a suspension', () => {
  it('the mounted member is entered once a connection comes back', async () => {
    const clock = createFakeClock();
    const ws = createFakeWebSocket();
    const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 * 24 });
    render(h(PulseProvider, { options: { kbId: 'kb', token, WebSocket: ws.WebSocket, clock, random: () => 0 } }, h(Member)));
    await tick();
    expect(ws.sockets.length).toBe(1);
    // The service is unreachable for longer than connectionStateTtlMs (120 s).
    const dropped = new Set<unknown>();
    for (let t = 0; t < 130; t++) {
      const s = ws.last;
      if (!dropped.has(s)) {
        dropped.add(s);
        s.drop(1006);
      }
      await tick();
      clock.advance(1000);
      await tick();
    }
    expect(client!.state).toBe('reconnecting');
    expect(last.error).toBe('timeout');
    // Now the service answers.
    for (let i = 0; i < 40 && (client!.state as string) !== 'connected'; i++) {
      clock.advance(1000);
      await tick();
      if (!dropped.has(ws.last) && (client!.state as string) !== 'connected') {
        dropped.add(ws.last);
        ws.last.accept();
      }
      await tick();
    }
    expect(client!.state).toBe('connected');
    await tick();
    const actions = ws.last.actions.map((a) => a.action);
    // control: the engine-level watcher part works (subscribe + presence request were sent)
    expect(actions).toContain('presence');
    expect(actions).toContain('presence_enter');
  });

  it('data changed while the connection was away: the member comes back with the latest data, once', async () => {
    const clock = createFakeClock();
    const ws = createFakeWebSocket();
    const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 * 24 });
    const options = { kbId: 'kb', token, WebSocket: ws.WebSocket, clock, random: () => 0 };
    const view = render(h(PulseProvider, { options }, h(Member, { name: 'ada' })));
    await tick();
    const dropped = new Set<unknown>();
    for (let t = 0; t < 130; t++) {
      if (!dropped.has(ws.last)) {
        dropped.add(ws.last);
        ws.last.drop(1006);
      }
      await tick();
      clock.advance(1000);
      await tick();
    }
    expect(last.error).toBe('timeout');
    view.rerender(h(PulseProvider, { options }, h(Member, { name: 'bob' })));
    await tick();
    for (let i = 0; i < 40 && (client!.state as string) !== 'connected'; i++) {
      clock.advance(1000);
      await tick();
      if (!dropped.has(ws.last) && (client!.state as string) !== 'connected') {
        dropped.add(ws.last);
        ws.last.accept();
      }
      await tick();
    }
    expect(client!.state).toBe('connected');
    await tick();
    const entered = ws.last.actions.filter((a) => a.action === 'presence_enter' || a.action === 'presence_update');
    expect(entered.map((a) => ('data' in a ? a.data : undefined))).toEqual([{ name: 'bob' }]);
  });
});
