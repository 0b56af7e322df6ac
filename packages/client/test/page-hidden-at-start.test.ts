// An outside review found: a page that starts hidden (opened in a background tab, a prerendered page, a PWA
// resumed in the background) and loses its connection while hidden must wake up on its first
// visibilitychange to visible, as a page that was visible first does (README: "a hidden page
// (timers held) reconnects as soon as it is visible").
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setupPulse } from './helpers.js';

type Listener = ((event: { type: string }) => void) | { handleEvent(event: { type: string }): void };
const windowListeners = new Map<string, Listener[]>();
const docListeners = new Map<string, Listener[]>();
const doc = {
  visibilityState: 'visible' as 'visible' | 'hidden',
  addEventListener: (t: string, l: Listener) => docListeners.set(t, [...(docListeners.get(t) ?? []), l]),
  removeEventListener: (t: string, l: Listener) => docListeners.set(t, (docListeners.get(t) ?? []).filter((x) => x !== l)),
};
const fire = (map: Map<string, Listener[]>, type: string) =>
  map.get(type)?.forEach((l) => (typeof l === 'function' ? l({ type }) : l.handleEvent({ type })));
const stub = () => {
  vi.stubGlobal('addEventListener', (t: string, l: Listener) => windowListeners.set(t, [...(windowListeners.get(t) ?? []), l]));
  vi.stubGlobal('removeEventListener', (t: string, l: Listener) => windowListeners.set(t, (windowListeners.get(t) ?? []).filter((x) => x !== l)));
  vi.stubGlobal('document', doc);
};
afterEach(() => {
  vi.unstubAllGlobals();
  windowListeners.clear();
  docListeners.clear();
  doc.visibilityState = 'visible';
});

describe('page loaded hidden', () => {
  it('for comparison: visible first, hidden, drop, visible -> reconnects at once (passes)', () => {
    stub();
    const { ws } = setupPulse();
    ws.last.accept();
    doc.visibilityState = 'hidden';
    fire(docListeners, 'visibilitychange');
    ws.last.drop(1006);
    expect(ws.sockets).toHaveLength(1);
    doc.visibilityState = 'visible';
    fire(docListeners, 'visibilitychange');
    expect(ws.sockets).toHaveLength(2);
  });

  it('loaded hidden, drop while hidden, first visible -> reconnects at once', () => {
    stub();
    doc.visibilityState = 'hidden'; // the tab was opened in the background
    const { ws } = setupPulse();
    ws.last.accept();
    ws.last.drop(1006); // lost while hidden; the retry timer is throttled
    expect(ws.sockets).toHaveLength(1);
    doc.visibilityState = 'visible';
    fire(docListeners, 'visibilitychange');
    expect(ws.sockets).toHaveLength(2);
  });

  it('loaded hidden, connected, first visible after timers were held -> the silent connection is checked at once', () => {
    stub();
    doc.visibilityState = 'hidden';
    const { ws, clock } = setupPulse();
    ws.last.accept();
    (clock as { now: () => number }).now = ((base) => () => base + 25_000)(clock.now());
    doc.visibilityState = 'visible';
    fire(docListeners, 'visibilitychange');
    expect(ws.last.actions).toEqual([{ action: 'ping' }]);
  });
});
