// An outside review found that the hub released the whole channel when its last hook unmounted,
// dropping the app's own listener and presence. A hook unmounting must not take away what the app's own code (usePulseClient) holds on the same channel.
import { closeDomWindow } from './react-dom-globals.js';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { act, cleanup, render, waitFor } from '@testing-library/react';
import { createElement as h, StrictMode, useEffect, useState, type ReactNode } from 'react';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import Pulse from '../src/index.js';
import { PulseProvider, useChannel, usePresence, usePulseClient, type PulseProviderOptions } from '../src/react/index.js';
import { reachState, tokenFor } from './int-helpers.js';

let service: PulseService;
const clients: Pulse[] = [];
beforeEach(async () => {
  service = await createPulseService({ host: '127.0.0.1' });
});
afterAll(closeDomWindow);
afterEach(async () => {
  cleanup();
  for (const client of clients.splice(0)) client.disconnect();
  await service.close();
});

async function options(user: string): Promise<PulseProviderOptions> {
  return { kbId: service.kbId, token: await tokenFor(service, user), endpoint: service.wsUrl };
}

async function other(): Promise<Pulse> {
  const pulse = new Pulse({ kbId: service.kbId, token: await tokenFor(service, 'other'), endpoint: service.wsUrl });
  clients.push(pulse);
  await reachState(pulse, 'connected');
  return pulse;
}

let uiClient: Pulse | undefined;

/** App code that listens and enters presence imperatively, through usePulseClient (the docs: "for anything else"). */
function Imperative({ got }: { got: string[] }): null {
  const client = usePulseClient();
  uiClient = client;
  useEffect(() => {
    if (!client) return;
    const room = client.channel('room');
    const stop = room.subscribe('message', (d) => got.push(String(d.text)));
    void room.presence.enter({ via: 'imperative' }).catch(() => {});
    return stop;
  }, [client]);
  return null;
}

function HookUser(): ReactNode {
  useChannel('room', 'message', () => {});
  return h('p', null, 'hook');
}

function Watcher(): ReactNode {
  usePresence('room');
  return h('p', null, 'watcher');
}

describe('control', () => {
  it('control: without the unmount, the app listener gets the message and presence stays', async () => {
    const peer = await other();
    const peerRoom = peer.channel('room');
    const got: string[] = [];
    render(h(StrictMode, null, h(PulseProvider, { options: await options('ui') }, h('div', null, h(Imperative, { got }), h(HookUser)))));
    await waitFor(() => expect(uiClient?.state).toBe('connected'));
    await waitFor(async () => expect((await peerRoom.presence.get()).some((m) => m.userId === 'ui')).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    await peerRoom.publish('message', { text: 'x' });
    await waitFor(() => expect(got).toEqual(['x']));
  });
});

describe('hooks and app code sharing a channel on the provider\'s client', () => {
  for (const [label, Child] of [['useChannel', HookUser], ['usePresence (watch only)', Watcher]] as const) {
    it(`a ${label} component unmounting keeps the app's own listener and presence on that channel`, async () => {
      const peer = await other();
      const peerRoom = peer.channel('room');
      const leaves: string[] = [];
      peerRoom.presence.onLeave((m) => m.userId === 'ui' && leaves.push(m.userId));
      const got: string[] = [];
      let setShow!: (v: boolean) => void;
      function App(): ReactNode {
        const [show, set] = useState(true);
        setShow = set;
        return h('div', null, h(Imperative, { got }), show ? h(Child) : null);
      }
      render(h(StrictMode, null, h(PulseProvider, { options: await options('ui') }, h(App))));
      await waitFor(() => expect(uiClient?.state).toBe('connected'));
      // The app's presence is seen by the peer.
      await waitFor(async () => expect((await peerRoom.presence.get()).some((m) => m.userId === 'ui')).toBe(true));

      act(() => setShow(false));
      await new Promise((r) => setTimeout(r, 50));
      await uiClient!.channel('barrier').publish('probe', {});

      await peerRoom.publish('message', { text: 'after-unmount' });
      await new Promise((r) => setTimeout(r, 300));
      expect({ got, leaves, stillPresent: (await peerRoom.presence.get()).some((m) => m.userId === 'ui') }).toEqual({
        got: ['after-unmount'],
        leaves: [],
        stillPresent: true,
      });
    });
  }
});
