// From a second outside review (of 185dd8f): a presence request for tracking alone waited for
// "the next ping", which a connection that only receives never sends, and each tracking run left
// one behind, holding its released channel. Every request now gets its ping and is forgotten when
// tracking stops. This reads the engine's queue, so it builds the source client (pulse.js renames
// internal fields): src/pulse.js, not the index the pulse-js project swaps for the bundle.
import { createFakeClock } from '@openkbs-pulse/mock-server';
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Pulse } from '../src/pulse.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { makeToken } from './helpers.js';

const member = (n: number): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n });
const sync = (members: PresenceMember[], channel: string) => ({ type: 'presence', action: 'sync', channel, count: members.length, members });
let pulse: Pulse | undefined;
afterEach(() => pulse?.disconnect());

describe('requests do not pile up', () => {
  it('tracking started and stopped 200 times on a busy connection that never pings on its own: nothing left in flight', async () => {
    const clock = createFakeClock();
    const ws = createFakeWebSocket();
    pulse = new Pulse({ kbId: 'kb', token: makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 }), WebSocket: ws.WebSocket, clock });
    ws.last.accept();
    pulse.channel('busy').subscribe(() => {});
    for (let i = 0; i < 200; i++) {
      const off = pulse.channel(`doc-${i}`).presence.subscribe(() => {});
      ws.last.receive(sync([member(1)], `doc-${i}`));
      off();
      clock.advance(1_000);
      ws.last.receive({ type: 'message', channel: 'busy', data: { type: 'x' }, timestamp: 1 });
    }
    expect(ws.last.readyState).toBe(1);
    // (The subscribe of `busy` is in flight too: its ping goes out once this turn ends.)
    const inFlight = (pulse as unknown as { _engine: { _queue: { _asks: { _frame: string }[] } } })._engine._queue._asks;
    expect(inFlight.filter((request) => request._frame.includes('"presence"'))).toEqual([]);
  });
});

