// An outside review found: usePublish's function, called fire-and-forget (onClick={() => publish(...)}), must not
// cause an unhandled rejection when the publish is refused: the client's own publish promise is
// safe to ignore (docs, PulseChannel.publish), the hook's wrapper must be too.
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type Pulse from '../src/index.js';
import { PulseProvider, usePublish, usePulseClient, type Publish } from '../src/react/index.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { makeToken } from './helpers.js';

afterAll(closeDomWindow);
afterEach(cleanup);

let publish: Publish | undefined;
let client: Pulse | undefined;
function Probe(): ReactNode {
  publish = usePublish('chat');
  client = usePulseClient();
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('usePublish fire-and-forget', () => {
  it('a refused publish whose promise the app ignores causes no unhandled rejection', async () => {
    const ws = createFakeWebSocket();
    const token = makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(Date.now() / 1000) + 3600 });
    render(h(PulseProvider, { options: { kbId: 'kb', token, WebSocket: ws.WebSocket } }, h(Probe)));
    await act(async () => {
      await sleep(10);
    });
    client!.on('error', () => {});
    client!.disconnect(); // e.g. the app went offline on purpose; a button is still clickable
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    const before = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', onUnhandled);
    try {
      void publish!('m', { text: 'hi' }); // fire and forget, as onClick handlers do
      // the same through the client directly: safe
      void client!.channel('chat').publish('m', { text: 'hi' });
      await sleep(50);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      for (const l of before) process.on('unhandledRejection', l as never);
    }
    expect(unhandled.map((e) => (e as { code?: string }).code)).toEqual([]);
  });
});
