// An outside review found: after the provider's first token failed, usePublish rejected blaming server rendering instead of naming that failure.
// Expected: "bad input gets a typed PulseError that says how to fix it". After the provider's first
// token could not be fetched (state 'failed', docs/react.md: "'failed' when the first token could not
// be fetched"), a publish from usePublish rejects with not_connected whose message blames server
// rendering / an unmounted provider and advises "call it from an event handler or an effect"
// (hub.ts clientForCall) - which is what the app already did; the real cause (the token endpoint,
// remount the provider) is not named. The rejection should point at the first-token failure (its
// code, or a message naming authCallback / the token), as useConnectionError() does.
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, useConnectionError, useConnectionState, usePublish, type Publish } from '../src/react/index.js';
import { createFakeWebSocket } from './fake-websocket.js';

afterAll(closeDomWindow);
afterEach(cleanup);

let publish: Publish | undefined;
let state = '';
let errorCode: string | undefined;
function Probe(): ReactNode {
  publish = usePublish('chat');
  state = useConnectionState();
  errorCode = useConnectionError()?.code;
  return null;
}
const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

describe('usePublish after the first token failed', () => {
  it('the rejection names the first-token failure, not server rendering', async () => {
    const ws = createFakeWebSocket();
    const authCallback = () => Promise.reject(new Error('HTTP 500 from /api/pulse-token'));
    render(h(PulseProvider, { options: { kbId: 'kb', authCallback, WebSocket: ws.WebSocket } }, h(Probe)));
    await tick();
    expect({ state, errorCode }).toEqual({ state: 'failed', errorCode: 'invalid_response' });
    const error = await publish!('m', { n: 1 }).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(error).toBeDefined();
    // Not "server rendering, or the <PulseProvider> is not mounted yet": it is mounted, in a browser.
    expect(error!.message).not.toMatch(/server rendering/);
    expect(error!.code === errorCode || /authCallback|token/.test(error!.message)).toBe(true);
    // A typed not_connected that names the failure and its fix, and carries it as its cause.
    expect(error!.code).toBe('not_connected');
    expect(error!.message).toMatch(/making it failed \(invalid_response\).*HTTP 500 from \/api\/pulse-token.*remount the provider/);
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe('invalid_response');
  });
});
