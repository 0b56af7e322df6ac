// An outside review found: against the real service, a member whose provider got a new key (same client) was left absent.
// Expected (against the local service): a member whose <PulseProvider client={pulse}> remounts (a new
// `key`; docs/react.md "StrictMode and remounts": "a component that moves (a new key) do the same ...
// the count other users see stays stable") is still listed in the channel's presence afterwards.
// Actually the old provider's hub leaves (deferred) after the new provider's hub entered on the same
// client: the peer sees the user leave and the mounted member is absent for good (ghost absence,
// USERS.md "ghost presence, flicker"). Unit twin: react-provider-remount-presence.test.ts.
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import Pulse from '../src/index.js';
import { PulseProvider, usePresence } from '../src/react/index.js';
import { reachState, serviceForEachTest, tokenFor, waitFor } from './int-helpers.js';

const local = serviceForEachTest();
afterAll(closeDomWindow);
afterEach(cleanup);

function Member(): ReactNode {
  usePresence('room', { name: 'ada' });
  return null;
}

async function client(user: string): Promise<Pulse> {
  const pulse = local.track(new Pulse({ kbId: local.service.kbId, token: await tokenFor(local.service, user), endpoint: local.service.wsUrl }));
  await reachState(pulse, 'connected');
  return pulse;
}

/** Lets the hub's deferred undo run, then waits until every frame `pulse` sent was processed. */
async function settle(pulse: Pulse): Promise<void> {
  await act(async () => { await new Promise((r) => setTimeout(r, 20)); });
  await pulse.channel('barrier').publish('probe', {});
}

describe('provider remount with the same client (real service)', () => {
  it('the member is still present after its provider got a new key', async () => {
    const ui = await client('ui');
    const peer = await client('peer');
    const peerRoom = peer.channel('room');
    const leaves: string[] = [];
    peerRoom.presence.onLeave((m) => void (m.userId === 'ui' && leaves.push(m.userId)));
    const entered = waitFor('ui entered', (done) => peerRoom.presence.onEnter((m) => m.userId === 'ui' && done(undefined)));

    const view = render(h(PulseProvider, { key: 'a', client: ui }, h(Member)));
    await entered;
    view.rerender(h(PulseProvider, { key: 'b', client: ui }, h(Member)));
    await settle(ui);

    const present = (await peerRoom.presence.get()).some((m) => m.userId === 'ui');
    expect({ present, leaves }).toEqual({ present: true, leaves: [] });
  });
});
