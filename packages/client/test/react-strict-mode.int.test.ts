// openkbs-pulse/react against the local service over real sockets, in StrictMode (which mounts,
// unmounts and mounts again every component): one connection, one server subscription per
// channel, one presence entry, no duplicate deliveries, counted at the service; the socket closes
// with the last user. Rendering with @testing-library/react in a happy-dom document.
import { closeDomWindow } from './react-dom-globals.js';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { act, cleanup, render, waitFor } from '@testing-library/react';
import { createElement as h, StrictMode, useState, type ReactNode } from 'react';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import Pulse from '../src/index.js';
import {
  PulseProvider,
  useChannel,
  useChannelEvents,
  useConnectionError,
  useConnectionState,
  usePresence,
  usePublish,
  usePulseClient,
  type PulseProviderOptions,
} from '../src/react/index.js';
import { reachState, tokenFor, waitFor as waitForEvent } from './int-helpers.js';

let service: PulseService;
/** What the service saw: each frame's action with the user and channel, connections opened and closed. */
let actions: { user: string; action: string; channel: string | undefined }[];
let opened: string[];
let closed: string[];
/** Sockets the UI's clients created (a socket closed before it opened never reaches the service). */
let sockets = 0;
class CountedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    sockets++;
  }
}
const clients: Pulse[] = [];

beforeEach(async () => {
  service = await createPulseService({ host: '127.0.0.1' });
  actions = [];
  opened = [];
  closed = [];
  sockets = 0;
  service.on('action', (action, connection) =>
    actions.push({ user: connection.userId, action: action.action, channel: 'channel' in action ? action.channel : undefined }),
  );
  service.on('connection', (c) => opened.push(c.userId));
  service.on('close', (c) => closed.push(c.userId));
});
afterAll(closeDomWindow);
afterEach(async () => {
  cleanup();
  for (const client of clients.splice(0)) client.disconnect();
  await service.close();
});

const count = (user: string, action: string, channel = 'room') =>
  actions.filter((a) => a.user === user && a.action === action && a.channel === channel).length;

async function options(user: string): Promise<PulseProviderOptions> {
  return { kbId: service.kbId, token: await tokenFor(service, user), endpoint: service.wsUrl, WebSocket: CountedWebSocket as unknown as PulseProviderOptions['WebSocket'] };
}

/** A plain client on the same channel: sees presence changes and publishes. */
async function observer(): Promise<{ pulse: Pulse; enters: string[]; leaves: string[] }> {
  const pulse = new Pulse({ kbId: service.kbId, token: await tokenFor(service, 'observer'), endpoint: service.wsUrl });
  clients.push(pulse);
  const enters: string[] = [];
  const leaves: string[] = [];
  const room = pulse.channel('room');
  // Others only: the observer's own entry is not what is counted.
  room.presence.onEnter((m) => m.userId !== 'observer' && enters.push(m.userId));
  room.presence.onLeave((m) => m.userId !== 'observer' && leaves.push(m.userId));
  const synced = waitForEvent('observer presence sync', (done) => room.presence.subscribe(() => done(undefined)));
  await reachState(pulse, 'connected');
  await synced;
  return { pulse, enters, leaves };
}

/** The client a provider created, captured by a component. */
let uiClient: Pulse | undefined;
function Capture(): null {
  uiClient = usePulseClient();
  return null;
}

function Room({ name, onMessage }: { name: string; onMessage: (text: string) => void }): ReactNode {
  const state = useConnectionState();
  const { count: online } = usePresence('room', { name });
  useChannel('room', 'message', (data) => onMessage(`${name}:${String(data.text)}`));
  return h('p', { 'data-testid': name }, `${state} ${online}`);
}

const strict = (...children: ReactNode[]) => h(StrictMode, null, ...children);

/** Publishes from the UI's own client and waits for the confirmation: every frame it sent before is processed by the service. */
async function barrier(): Promise<void> {
  // Let deferred cleanups (a macrotask after the commit) send whatever they would send.
  await new Promise((resolve) => setTimeout(resolve, 0));
  await uiClient!.channel('barrier').publish('probe', {});
}

describe('openkbs-pulse/react under StrictMode', () => {
  it('a provider with options opens one connection; two components share one subscription and one presence entry', async () => {
    const watcher = await observer();
    const received: string[] = [];
    const onMessage = (text: string) => received.push(text);
    const view = render(
      strict(h(PulseProvider, { options: await options('ui') }, h(Capture), h(Room, { name: 'a', onMessage }), h(Room, { name: 'b', onMessage }))),
    );
    await waitFor(() => expect(view.getByTestId('a').textContent).toBe('connected 1'));
    await waitFor(() => expect(watcher.enters).toEqual(['ui']));
    await barrier();

    await watcher.pulse.channel('room').publish('message', { text: 'one' });
    await watcher.pulse.channel('room').publish('message', { text: 'two' });
    await waitFor(() => expect(received).toContain('b:two'));
    await barrier();
    // Delivery is in order per connection: a duplicate of `one` would have come before `two`.
    expect(received.sort()).toEqual(['a:one', 'a:two', 'b:one', 'b:two']);

    expect(sockets).toBe(1);
    expect(opened.filter((u) => u === 'ui')).toEqual(['ui']);
    expect(count('ui', 'subscribe')).toBe(1);
    expect(count('ui', 'unsubscribe')).toBe(0);
    expect(count('ui', 'presence_enter')).toBe(1);
    expect(count('ui', 'presence_leave')).toBe(0);
    expect(service.connections().find((c) => c.userId === 'ui')?.channels).toEqual(['room']);
    expect(watcher.leaves).toEqual([]);
    expect(view.getByTestId('b').textContent).toBe('connected 1');
  });

  it('a component mounted on a live connection (double effects with a client) subscribes and enters once; a remount keeps presence', async () => {
    const watcher = await observer();
    await watcher.pulse.channel('room').presence.enter({ name: 'observer' });
    const received: string[] = [];
    let show!: (key: string | undefined) => void;
    function App(): ReactNode {
      const [key, setKey] = useState<string | undefined>(undefined);
      show = setKey;
      return key === undefined ? h(Capture) : h('div', null, h(Capture), h(Room, { key, name: 'a', onMessage: (t) => received.push(t) }));
    }
    const view = render(strict(h(PulseProvider, { options: await options('ui') }, h(App))));
    await waitFor(() => expect(uiClient?.state).toBe('connected'));

    act(() => show('first'));
    await waitFor(() => expect(view.getByTestId('a').textContent).toBe('connected 2'));
    await barrier();
    expect(count('ui', 'subscribe')).toBe(1);
    expect(count('ui', 'unsubscribe')).toBe(0);
    expect(count('ui', 'presence_enter')).toBe(1);
    expect(count('ui', 'presence_leave')).toBe(0);

    // A remount (another key): the old component unmounts and the new one mounts in one commit.
    act(() => show('second'));
    expect(view.getByTestId('a').textContent).toBe('connected 2');
    await barrier();
    expect(count('ui', 'unsubscribe')).toBe(0);
    expect(count('ui', 'presence_leave')).toBe(0);
    expect(watcher.leaves).toEqual([]);
    expect(watcher.enters).toEqual(['ui']);

    await watcher.pulse.channel('room').publish('message', { text: 'once' });
    await waitFor(() => expect(received).toEqual(['a:once']));
    await barrier();
    expect(received).toEqual(['a:once']);

    // Gone for good: leaves (once) and unsubscribes, the provider's connection stays.
    act(() => show(undefined));
    await waitFor(() => expect(watcher.leaves).toEqual(['ui']));
    await barrier();
    expect(count('ui', 'presence_leave')).toBe(1);
    expect(count('ui', 'unsubscribe')).toBe(1);
    expect(opened.filter((u) => u === 'ui')).toEqual(['ui']);
  });

  it('a re-render with a new handler calls the new one and does not resubscribe', async () => {
    const watcher = await observer();
    const first: string[] = [];
    const second: string[] = [];
    const opts = await options('ui');
    const tree = (onMessage: (t: string) => void) => strict(h(PulseProvider, { options: opts }, h(Capture), h(Room, { name: 'a', onMessage })));
    const view = render(tree((t) => first.push(t)));
    await waitFor(() => expect(view.getByTestId('a').textContent).toBe('connected 1'));
    await barrier();
    view.rerender(tree((t) => second.push(t)));
    await barrier();
    await watcher.pulse.channel('room').publish('message', { text: 'x' });
    await waitFor(() => expect(second).toEqual(['a:x']));
    expect(first).toEqual([]);
    expect(count('ui', 'subscribe')).toBe(1);
    expect(count('ui', 'unsubscribe')).toBe(0);
  });

  it('unmounting the provider closes the socket it opened', async () => {
    const watcher = await observer();
    const view = render(strict(h(PulseProvider, { options: await options('ui') }, h(Capture), h(Room, { name: 'a', onMessage: () => {} }))));
    await waitFor(() => expect(view.getByTestId('a').textContent).toBe('connected 1'));
    const client = uiClient!;
    view.unmount();
    await waitFor(() => expect(closed).toEqual(['ui']));
    expect(client.state).toBe('disconnected');
    await waitFor(() => expect(watcher.leaves).toEqual(['ui']));
    expect(opened.filter((u) => u === 'ui')).toEqual(['ui']);
  });

  it('a client you pass in is shared and never closed by the provider', async () => {
    const client = new Pulse({ kbId: service.kbId, token: await tokenFor(service, 'ui'), endpoint: service.wsUrl });
    clients.push(client);
    const view = render(strict(h(PulseProvider, { client }, h(Capture), h(Room, { name: 'a', onMessage: () => {} }))));
    await waitFor(() => expect(view.getByTestId('a').textContent).toBe('connected 1'));
    await barrier();
    expect(count('ui', 'subscribe')).toBe(1);
    expect(count('ui', 'presence_enter')).toBe(1);
    view.unmount();
    await barrier(); // still open: the confirmation needs the connection
    expect(client.state).toBe('connected');
    expect(closed).toEqual([]);
    expect(opened).toEqual(['ui']);
    // What the hooks did on it is undone: no ghost presence for a client that stays connected.
    expect(count('ui', 'presence_leave')).toBe(1);
  });

  it('usePublish and useChannelEvents: the latest messages, at most `limit`', async () => {
    let publish!: (text: string) => Promise<void>;
    function Feed(): ReactNode {
      const send = usePublish('feed');
      publish = (text) => send('post', { text });
      const posts = useChannelEvents('feed', 'post', { limit: 2 });
      return h('ul', { 'data-testid': 'feed' }, posts.map((p, i) => h('li', { key: i }, String(p.text))));
    }
    const view = render(strict(h(PulseProvider, { options: await options('ui') }, h(Capture), h(Feed))));
    await waitFor(() => expect(uiClient?.state).toBe('connected'));
    await barrier();
    for (const text of ['1', '2', '3']) await act(() => publish(text));
    await waitFor(() => expect(view.getByTestId('feed').textContent).toBe('23'));
    expect(count('ui', 'publish', 'feed')).toBe(3);
    expect(count('ui', 'subscribe', 'feed')).toBe(1);
  });

  it('an expired token is refreshed through the latest authCallback given to the provider', async () => {
    const calls: string[] = [];
    const authCallback = (name: string) => async () => {
      calls.push(name);
      return { token: await tokenFor(service, 'ui', 3600), endpoint: service.wsUrl };
    };
    // A token of a few seconds (exp is in whole seconds): connected with it, then the service
    // closes the connection when it expires.
    const base = { kbId: service.kbId, token: await tokenFor(service, 'ui', 4), endpoint: service.wsUrl };
    const tree = (name: string) => strict(h(PulseProvider, { options: { ...base, authCallback: authCallback(name) } }, h(Capture)));
    const view = render(tree('first'));
    await waitFor(() => expect(uiClient?.state).toBe('connected'));
    const client = uiClient!;
    view.rerender(tree('second')); // an inline function: a new one on each render
    await waitFor(() => expect(calls).toEqual(['second']), { timeout: 10_000 });
    await reachState(client, 'connected');
    expect(uiClient).toBe(client); // the same client, not a new one per options object
  });

  it('a provider unmounted while its first token is fetched never opens a socket', async () => {
    const token = await tokenFor(service, 'ui');
    // The answer comes before the provider's deferred close has run, or after it: neither connects.
    for (const when of ['before', 'after'] as const) {
      let answer!: (value: { kbId: string; token: string; endpoint: string }) => void;
      const first = new Promise<{ kbId: string; token: string; endpoint: string }>((resolve) => (answer = resolve));
      const options: PulseProviderOptions = { authCallback: () => first, WebSocket: CountedWebSocket as unknown as PulseProviderOptions['WebSocket'] };
      const view = render(strict(h(PulseProvider, { options }, h(Capture))));
      view.unmount();
      if (when === 'after') await new Promise((resolve) => setTimeout(resolve, 0));
      answer({ kbId: service.kbId, token, endpoint: service.wsUrl });
      await first;
      await new Promise((resolve) => setTimeout(resolve, 0)); // the provider's handling of the answer has run
      expect([when, sockets]).toEqual([when, 0]);
    }
    expect(opened).toEqual([]);
  });

  it('gets its first token (and kbId) from authCallback, and reports a failed one as a typed error', async () => {
    let calls = 0;
    // What a token route typically answers; no kbId in the options.
    const authCallback = async () => {
      calls++;
      return { kbId: service.kbId, token: await tokenFor(service, 'ui'), endpoint: service.wsUrl };
    };
    function Status(): ReactNode {
      return h('p', { 'data-testid': 'status' }, `${useConnectionState()} ${useConnectionError()?.code ?? '-'}`);
    }
    const view = render(strict(h(PulseProvider, { options: { authCallback } }, h(Status))));
    expect(view.getByTestId('status').textContent).toBe('connecting -');
    await waitFor(() => expect(view.getByTestId('status').textContent).toBe('connected -'));
    expect(calls).toBe(1);
    expect(opened).toEqual(['ui']);
    cleanup();

    const failing = () => Promise.reject(new Error('HTTP 500 from /api/pulse-token'));
    const broken = render(strict(h(PulseProvider, { options: { kbId: service.kbId, authCallback: failing } }, h(Status))));
    await waitFor(() => expect(broken.getByTestId('status').textContent).toBe('failed invalid_response'));
  });
});
