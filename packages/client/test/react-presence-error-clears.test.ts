// An outside review found: usePresence kept returning an old error after the component was entered again.
// Expected: usePresence's `error` is "why entering or updating with `data` failed ... else undefined"
// (presence.ts PresenceState, docs/react.md Hooks table: "`error` is why entering failed"). Once the
// component IS a member again (its data fixed, or the hub's retry after a `rate_limited` refusal
// entered it) the hook must stop reporting the old failure. Actually the hub only ever calls
// onError with a failure (hub.ts enter(): the success branch never clears it), so the component
// keeps showing e.g. `message_too_large` while it is an entered member with its new, valid data.
import { closeDomWindow } from './react-dom-globals.js';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type Pulse from '../src/index.js';
import { PulseProvider, usePresence, usePulseClient } from '../src/react/index.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { makeToken } from './helpers.js';

afterAll(closeDomWindow);
let client: Pulse | undefined;
afterEach(() => {
  cleanup();
  client?.disconnect();
  client = undefined;
});

let lastError: string | undefined;
function Member({ text }: { text: string }): ReactNode {
  client = usePulseClient();
  lastError = usePresence('room', { text }).error?.code;
  return null;
}
const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

async function mounted(text: string) {
  const clock = createFakeClock();
  const ws = createFakeWebSocket();
  const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 * 24 });
  const options = { kbId: 'kb', token, WebSocket: ws.WebSocket, clock, random: () => 0 };
  const view = render(h(PulseProvider, { options }, h(Member, { text })));
  await tick();
  ws.last.accept();
  await tick();
  return { clock, ws, rerender: (t: string) => view.rerender(h(PulseProvider, { options }, h(Member, { text: t }))) };
}
const entersSent = (ws: ReturnType<typeof createFakeWebSocket>) =>
  ws.last.frames.filter((f) => f.action === 'presence_enter' || f.action === 'presence_update');

describe('usePresence error once the member is entered again', () => {
  it('data too large, then fixed: the error goes once the new data is entered', async () => {
    const { ws, rerender } = await mounted('x'.repeat(40_000)); // over the 32 KiB frame limit
    await tick();
    expect(lastError).toBe('message_too_large');
    expect(entersSent(ws)).toHaveLength(0);

    rerender('hello'); // the app fixes its data
    await tick();
    expect(entersSent(ws)).toHaveLength(1);
    // The service takes the enter: one pong for the ping of the presence request, sent before it,
    // and one for the ping after the enter (its barrier).
    ws.last.pong();
    await tick();
    expect(ws.last.actions.filter((a) => a.action === 'ping')).toHaveLength(2);
    ws.last.pong();
    await tick();
    // Entered with valid data: nothing failed any more.
    expect(lastError).toBeUndefined();
  });

  it('rate_limited, then entered by the hub\'s retry: the error goes once entered', async () => {
    const { clock, ws } = await mounted('hello');
    expect(entersSent(ws)).toHaveLength(1);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'over 200 frames per second', channel: 'room' });
    ws.last.pong();
    await tick();
    expect(lastError).toBe('rate_limited');
    // The hub retries after 1 s on the live connection; the service takes it this time.
    clock.advance(1000);
    await tick();
    expect(entersSent(ws).length).toBeGreaterThan(1);
    // The service answers the pings in flight: the one checking the leave the client told it after
    // the refusal, then the one after the retried enter.
    ws.last.pong();
    await tick();
    ws.last.pong();
    await tick();
    expect(client!.state).toBe('connected');
    expect(lastError).toBeUndefined();
  });
});
