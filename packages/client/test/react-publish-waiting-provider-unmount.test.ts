// An outside review found: a usePublish call waiting for the first token never settled when the provider unmounted.
// Expected: "a promise resolves only when the thing happened and rejects when refused, never waits
// without a deadline" (the project's promise contract; USERS.md: Ably bounds authCallback by 10 s).
// usePublish's function, called while the provider's first token is still being fetched, waits for
// the client (docs/react.md: "before the first token arrived it waits for the client"). If the
// provider then unmounts, hub.ts release() aborts the first-token deadline (stopFirst.abort() clears
// the authTimeoutMs timer in firstAnswer) but the publish keeps waiting on that promise: with a token
// endpoint that hangs, the publish never settles: no rejection, no deadline, for ever.
import { closeDomWindow } from './react-dom-globals.js';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, usePublish, type Publish } from '../src/react/index.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { settledAs } from './helpers.js';

afterAll(closeDomWindow);
afterEach(cleanup);

let publish: Publish | undefined;
function Sender(): ReactNode {
  publish = usePublish('chat');
  return null;
}
const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

describe('a publish waiting for the first token when the provider unmounts', () => {
  it('control: with the provider mounted, the publish is rejected at the authTimeoutMs deadline', async () => {
    const clock = createFakeClock();
    const ws = createFakeWebSocket();
    const hang = () => new Promise<string>(() => {});
    render(h(PulseProvider, { options: { kbId: 'kb', authCallback: hang, authTimeoutMs: 1000, WebSocket: ws.WebSocket, clock } }, h(Sender)));
    await tick();
    const sent = publish!('m', { n: 1 });
    clock.advance(1000);
    await tick();
    expect(await settledAs(sent)).toBe('timeout');
  });

  it('the token endpoint hangs and the provider unmounts: the publish still settles (rejects)', async () => {
    const clock = createFakeClock();
    const ws = createFakeWebSocket();
    const hang = () => new Promise<string>(() => {});
    const view = render(h(PulseProvider, { options: { kbId: 'kb', authCallback: hang, authTimeoutMs: 1000, WebSocket: ws.WebSocket, clock } }, h(Sender)));
    await tick();
    const sent = publish!('m', { n: 1 });
    view.unmount();
    await tick();
    clock.advance(60_000); // well past authTimeoutMs
    await tick();
    expect(ws.sockets).toHaveLength(0);
    // Nothing will ever publish it: it must be rejected, not pending for ever.
    expect(await settledAs(sent)).toBe('disconnected');
    const error = await sent.catch((e: Error) => e);
    expect((error as Error).message).toMatch(/unmounted before authCallback gave the first token/);
  });
});
