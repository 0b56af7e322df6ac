// An outside review found: a provider remount (a new key) or a second provider on the same client made a mounted presence member leave.
// Expected: a component that stays a presence member across a remount of its <PulseProvider> (a new
// `key`, or the tree around it moving) keeps being a member: docs/react.md "StrictMode and remounts"
// says a component that moves (a new key) is like StrictMode's remount, and usePresence's contract is
// "a member while mounted". With `client={pulse}` the old provider's hub and the new one are two hubs
// on the same client; the old hub's deferred leave (hub.ts enter(), `presence.leave()` in `later`)
// runs after the new hub entered, so the engine ends with NO membership while the new component is
// mounted: everybody else sees the user leave (USERS.md: "ghost presence, flicker").
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, usePresence } from '../src/react/index.js';
import { setupPulse } from './helpers.js';

afterAll(closeDomWindow);
afterEach(cleanup);

function Member(): ReactNode {
  usePresence('room', { name: 'ada' });
  return null;
}
const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 5)); });

/** The presence frames the client sent, in order. */
const presenceFrames = (frames: { action: string }[]) => frames.map((f) => f.action).filter((a) => a.startsWith('presence_'));

describe('provider remount with the same client', () => {
  it('control: the member stays entered while its provider stays mounted', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    render(h(PulseProvider, { key: 'a', client: pulse }, h(Member)));
    await tick();
    await tick();
    expect(presenceFrames(ws.last.frames).at(-1)).toBe('presence_enter');
  });

  it('a provider given a new key (same client) keeps its mounted member entered', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const view = render(h(PulseProvider, { key: 'a', client: pulse }, h(Member)));
    await tick();
    view.rerender(h(PulseProvider, { key: 'b', client: pulse }, h(Member)));
    await tick();
    await tick();
    // Member is mounted (under provider "b"): the last word the service heard must not be a leave.
    expect(presenceFrames(ws.last.frames).at(-1)).not.toBe('presence_leave');
    // Nothing at all was sent for the move: one enter, no leave, no update.
    expect(presenceFrames(ws.last.frames)).toEqual(['presence_enter']);
    // Unmounted for good: it leaves, once.
    view.unmount();
    await tick();
    expect(presenceFrames(ws.last.frames)).toEqual(['presence_enter', 'presence_leave']);
  });

  it('two providers sharing one client: one member unmounting keeps the other entered', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const both = (second: boolean) =>
      h('div', null, h(PulseProvider, { client: pulse }, h(Member)), second ? h(PulseProvider, { client: pulse }, h(Member)) : null);
    const view = render(both(true));
    await tick();
    view.rerender(both(false));
    await tick();
    await tick();
    // The first provider's Member is still mounted.
    expect(presenceFrames(ws.last.frames).at(-1)).not.toBe('presence_leave');
    expect(presenceFrames(ws.last.frames)).toEqual(['presence_enter']);
    view.unmount();
    await tick();
    expect(presenceFrames(ws.last.frames)).toEqual(['presence_enter', 'presence_leave']);
  });
});
