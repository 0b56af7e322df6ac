// An outside review found: `connection.once(event, cb)` / `connection.once(cb)` removed, when it
// fired, every registration of `cb`, the `connection.on(...)` ones too: its wrapper called
// `off(event, cb)`, which matches by key and callback. An app logging with one function
//   realtime.connection.on('connected', log); realtime.connection.once('connected', log);
// lost its `connected` listener after the first change (with `once(log)`, before it ever fired),
// so "back online" UI stopped updating. docs/migrating.md calls `once` the same as Ably's, where a
// once-listener is a registration of its own and removes only itself; it does so now.
import { describe, expect, it } from 'vitest';
import { flush, setupRealtime } from './helpers.js';

/** Drops the socket and lets the backoff timer open and accept a new one. */
async function reconnect(setup: ReturnType<typeof setupRealtime>): Promise<void> {
  const { ws, clock, realtime } = setup;
  const before = ws.sockets.length;
  ws.last.drop();
  await flush();
  for (let i = 0; i < 60 && ws.sockets.length === before; i++) {
    clock.advance(1_000);
    await flush();
  }
  ws.last.accept();
  await flush();
  expect(realtime.connection.state).toBe('connected');
}

describe('Realtime connection.once() removes only its own registration (as in Ably)', () => {
  it("once('connected', log) does not remove on('connected', log)", async () => {
    const setup = setupRealtime({ autoConnect: false });
    const { ws, realtime } = setup;
    const seen: string[] = [];
    const log = (change: { current: string }): void => void seen.push(change.current);
    realtime.connection.on('connected', log);
    realtime.connection.once('connected', log);
    realtime.connect();
    ws.last.accept();
    await flush();
    expect(seen).toEqual(['connected', 'connected']); // the on and the once

    await reconnect(setup);
    // The on() listener hears the second `connected` too (before the fix it went with the once).
    expect(seen).toEqual(['connected', 'connected', 'connected']);
  });

  it("once(log) (next change) does not remove on('connected', log) before it ever fired", async () => {
    const setup = setupRealtime({ autoConnect: false });
    const { ws, realtime } = setup;
    const seen: string[] = [];
    const log = (change: { current: string }): void => void seen.push(change.current);
    realtime.connection.on('connected', log);
    realtime.connection.once(log);
    realtime.connect(); // `connecting`: the once fires here
    ws.last.accept();
    await flush();
    // The once heard `connecting`; the on() listener still hears `connected` (before the fix it went with the once).
    expect(seen).toEqual(['connecting', 'connected']);
  });
});
