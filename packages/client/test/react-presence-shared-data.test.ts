// An outside review found: a shared presence membership kept the data of a component that had unmounted while another stayed mounted.
// Expected: components of one provider entering the same channel share one membership, "the last
// `data` wins" (docs/react.md, StrictMode and remounts; presence.ts usePresence). When the component
// whose data won unmounts while another stays, the membership must carry the data of a component
// that is still mounted (usePresence: "the component is also a member while mounted", with ITS data),
// not the data of one that is gone. Actually hub.ts enter()'s cleanup only decrements `users`: the
// unmounted component's data stays on the service (e.g. "editing doc 3" after the editor closed) for
// as long as the membership lasts, and `m.send` (what a retry re-enters with) is still its closure.
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, usePresence } from '../src/react/index.js';
import { setupPulse } from './helpers.js';

afterAll(closeDomWindow);
afterEach(cleanup);

function Member({ status }: { status: string }): ReactNode {
  usePresence('room', { status });
  return null;
}
const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

/** The data of the last enter/update the client sent on `room`. */
function lastData(frames: { action: string; data?: unknown }[]): unknown {
  return frames.filter((f) => f.action === 'presence_enter' || f.action === 'presence_update').at(-1)?.data;
}

describe('shared membership when the component whose data won unmounts', () => {
  it('control: the last mounted component\'s data wins', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    render(h(PulseProvider, { client: pulse }, h(Member, { status: 'online' }), h(Member, { status: 'editing doc 3' })));
    await tick();
    expect(lastData(ws.last.frames)).toEqual({ status: 'editing doc 3' });
  });

  it('after the editor unmounts, the member data is the still-mounted component\'s', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const tree = (editor: boolean) =>
      h(PulseProvider, { client: pulse }, h(Member, { key: 'sidebar', status: 'online' }), editor ? h(Member, { key: 'editor', status: 'editing doc 3' }) : null);
    const view = render(tree(true));
    await tick();
    view.rerender(tree(false)); // the editor closes; the sidebar's member stays
    await tick();
    await tick();
    const leaves = ws.last.frames.filter((f) => f.action === 'presence_leave').length;
    expect({ leaves, data: lastData(ws.last.frames) }).toEqual({ leaves: 0, data: { status: 'online' } });
    // One update for it, and only then: enter (online), update (editing), update (online).
    const sent = ws.last.frames.filter((f) => f.action.startsWith('presence_')).map((f) => [f.action, (f as { data?: { status?: string } }).data?.status]);
    expect(sent).toEqual([
      ['presence_enter', 'online'],
      ['presence_update', 'editing doc 3'],
      ['presence_update', 'online'],
    ]);
    view.unmount();
    await tick();
    expect(ws.last.frames.filter((f) => f.action.startsWith('presence_')).at(-1)?.action).toBe('presence_leave');
  });
});
