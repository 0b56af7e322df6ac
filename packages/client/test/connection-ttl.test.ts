// connectionStateTtlMs counts from the latest loss (a fourth outside review; failed before the fix).
import { describe, expect, it } from 'vitest';
import { flush, setupRealtime } from './helpers.js';

// e99d325: "the TTL while connected ends once nothing is held". It only ends when its timer
// fires while connected (or at a pong). A read held at open and answered by its sync leaves the
// timer of the FIRST loss running; a second loss before it fires inherits it.
describe('the TTL counts from the latest loss', () => {
  it('presence.get held at open, answered by its sync; the connection drops again 10 s later: not suspended before connectionStateTtlMs from that loss', async () => {
    const { ws, realtime, clock } = setupRealtime({ connectionStateTtlMs: 30_000 });
    realtime.on('error', () => {});
    ws.last.accept();
    ws.last.drop(1006); // loss 1 at t=0
    const members = realtime.channels.get('room').presence.get();
    clock.advance(1_000);
    ws.last.accept(); // connected at t=1 s with the read held
    ws.last.receive({ type: 'presence', channel: 'room', action: 'sync', count: 0, members: [] });
    ws.last.pong(); // the answer to the ping the read sent after its request
    await expect(members).resolves.toEqual([]);
    await flush();
    ws.last.pong(); // the channel let go once read: the answer to the ping after its unsubscribe
    clock.advance(10_000);
    expect(realtime.connection.state).toBe('connected');
    ws.last.drop(1006); // loss 2 at t=11 s: nothing is held
    const states: string[] = [];
    realtime.connection.on((c) => states.push(`${c.current}@${clock.now()}`));
    // 25 s after loss 2 (< 30 s): retries fail, the client must not be suspended yet.
    for (let i = 0; i < 25; i++) {
      clock.advance(1_000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    expect(states.filter((s) => s.startsWith('suspended'))).toEqual([]);
  });

  it('same, with a publish queued after loss 2: it must not reject with timeout 19 s after the loss', async () => {
    const { ws, realtime, clock } = setupRealtime({ connectionStateTtlMs: 30_000 });
    realtime.on('error', () => {});
    ws.last.accept();
    ws.last.drop(1006);
    const members = realtime.channels.get('room').presence.get();
    clock.advance(1_000);
    ws.last.accept();
    ws.last.receive({ type: 'presence', channel: 'room', action: 'sync', count: 0, members: [] });
    ws.last.pong();
    await members;
    clock.advance(10_000);
    ws.last.drop(1006);
    let settled: unknown = 'pending';
    realtime.channels.get('c').publish('m', { n: 1 }).then(() => (settled = 'resolved'), (e) => (settled = e.code));
    for (let i = 0; i < 25; i++) {
      clock.advance(1_000);
      if (ws.last.readyState === 0) ws.last.drop(1006);
    }
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe('pending');
  });
});
