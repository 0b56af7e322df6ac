/**
 * The page of react.browser.test.ts, bundled with esbuild (React's development build, so
 * StrictMode really mounts twice) and run in Chromium: openkbs-pulse/react rendered with
 * @testing-library/react. The test drives it through `window.pulseTest` and counts, at the local
 * service, what the page's one client sends.
 */
import { act, render, waitFor, type RenderResult } from '@testing-library/react';
import { createElement as h, StrictMode, useState, type ReactNode } from 'react';
import type { Pulse, WebSocketLikeConstructor } from '../src/index.js';
import { PulseProvider, useChannel, useConnectionState, usePresence, usePulseClient } from '../src/react/index.js';

/** Sockets this page's client created (a socket closed before it opened never reaches the service). */
let sockets = 0;
class CountedWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    sockets++;
  }
}

let client: Pulse | undefined;
let view: RenderResult | undefined;
let setRoom: (key: string | undefined) => void = () => {};
let rerenderApp: () => void = () => {};
let received: string[] = [];
/** Which handler the room gets: a new function on every render, and which list it writes to. */
let target = 'first';

function Capture(): null {
  client = usePulseClient();
  return null;
}

function Room(): ReactNode {
  const state = useConnectionState();
  const { count } = usePresence('room', { name: 'ui' });
  const into = target;
  useChannel('room', 'message', (data) => received.push(`${into}:${String(data.text)}`));
  return h('p', { id: 'room' }, `${state} ${count}`);
}

function App(): ReactNode {
  const [room, set] = useState<string | undefined>(undefined);
  const [, setTick] = useState(0);
  setRoom = set;
  rerenderApp = () => setTick((t) => t + 1);
  return h('div', null, h(Capture), room === undefined ? null : h(Room, { key: room }));
}

const text = (): string => document.getElementById('room')?.textContent ?? '';

const api = {
  /** Renders the provider (no room yet) and waits for the connection. */
  async start(options: { kbId: string; token: string; endpoint: string }): Promise<void> {
    view = render(h(StrictMode, null, h(PulseProvider, { options: { ...options, WebSocket: CountedWebSocket as unknown as WebSocketLikeConstructor } }, h(App))));
    await waitFor(() => {
      if (client?.state !== 'connected') throw new Error(`state ${String(client?.state)}`);
    });
  },
  /** Mounts the room under `key` (another key remounts it; undefined unmounts it) and returns its text at once. */
  room(key: string | undefined): string {
    act(() => setRoom(key));
    return text();
  },
  async waitText(expected: string): Promise<void> {
    await waitFor(() => {
      if (text() !== expected) throw new Error(`room shows "${text()}"`);
    });
  },
  /** Re-renders the room, whose handler is then a new function writing as `name`. */
  swapHandler(name: string): void {
    target = name;
    act(() => rerenderApp());
  },
  async waitReceived(count: number): Promise<string[]> {
    await waitFor(() => {
      if (received.length < count) throw new Error(`received ${received.length}`);
    });
    return [...received];
  },
  received: (): string[] => [...received],
  /** After deferred cleanups ran, a publish confirmed by the service: it has processed every frame sent before. */
  async barrier(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await client!.channel('barrier').publish('probe', {});
  },
  sockets: (): number => sockets,
  state: (): string => client?.state ?? 'none',
  unmount(): void {
    view!.unmount();
  },
  reset(): void {
    received = [];
  },
};

(window as unknown as { pulseTest: typeof api }).pulseTest = api;
