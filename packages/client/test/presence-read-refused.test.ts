// A presence read (`presence.get()`) waits for a sync. When the service refuses the `presence`
// request (rate_limited names no channel; limit_exceeded names it) no sync comes, and the read
// used to wait for as long as the connection stayed up: for ever on a healthy connection.
// The read now rides the same ping barrier as a publish: the pong that answers a ping sent
// after the request settles it.
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse, setupRealtime } from './helpers.js';

const member = (n: number): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n });
const sync = (channel: string, members: PresenceMember[]) => ({ type: 'presence', action: 'sync', channel, count: members.length, members });

describe('presence.get() when the service refuses or ignores the presence request', () => {
  it('rate_limited (an error frame naming no channel), then the pong: rejects with rate_limited', async () => {
    const { ws, pulse } = setupPulse();
    const errors: unknown[] = [];
    pulse.on('error', (e) => errors.push(e.code));
    ws.last.accept();
    const read = pulse.channel('room').presence.get();
    await flush(); // its ping goes a microtask later
    expect(ws.last.actions.slice(-2)).toEqual([{ action: 'presence', channel: 'room' }, { action: 'ping' }]);
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'over 200 frames per second: this frame was dropped' });
    ws.last.pong();
    expect(await settledAs(read)).toBe('rate_limited');
    expect(errors).toContain('rate_limited');
  });

  it('limit_exceeded naming the channel: rejects with it (Realtime face)', async () => {
    const { ws, realtime } = setupRealtime();
    realtime.on('error', () => {});
    ws.last.accept();
    const read = realtime.channels.get('room').presence.get();
    await flush(); // its ping goes a microtask later
    ws.last.receive({ type: 'error', code: 'limit_exceeded', error: 'too many', channel: 'room' });
    ws.last.pong();
    expect(await settledAs(read)).toBe('limit_exceeded');
  });

  it('the pong comes and no sync before it (the request was dropped without a word): rejects with invalid_response', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const read = pulse.channel('room').presence.get();
    await flush(); // its ping goes a microtask later
    ws.last.pong();
    expect(await settledAs(read)).toBe('invalid_response');
  });

  it('a read after a refused one asks the service again, and resolves on its sync', async () => {
    const { ws, pulse } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const presence = pulse.channel('room').presence;
    presence.subscribe(() => {}); // keeps presence tracked
    const first = presence.get();
    await flush(); // its ping goes a microtask later
    ws.last.receive({ type: 'error', code: 'rate_limited', error: 'dropped' });
    ws.last.pong();
    expect(await settledAs(first)).toBe('rate_limited');
    const requests = () => ws.last.actions.filter((a) => a.action === 'presence').length;
    const before = requests();
    const second = presence.get();
    await flush(); // its ping goes a microtask later
    expect(requests()).toBe(before + 1);
    ws.last.receive(sync('room', [member(1)]));
    ws.last.pong();
    await expect(second).resolves.toEqual([member(1)]);
  });

  it('a read held while connecting: the request goes before its ping, the sync before the pong, so it resolves', async () => {
    const { ws, pulse } = setupPulse();
    const read = pulse.channel('room').presence.get();
    await flush(); // its ping goes a microtask later
    ws.last.accept();
    await flush();
    const sent = ws.last.actions.map((a) => a.action);
    expect(sent.indexOf('presence')).toBeGreaterThanOrEqual(0);
    expect(sent.indexOf('presence')).toBeLessThan(sent.lastIndexOf('ping'));
    ws.last.receive(sync('room', [member(2)]));
    ws.last.pong();
    await expect(read).resolves.toEqual([member(2)]);
  });

  it('the sync answers the read even when the pong never comes (the heartbeat deals with the connection)', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const read = pulse.channel('room').presence.get();
    await flush(); // its ping goes a microtask later
    ws.last.receive(sync('room', [member(3)]));
    await expect(read).resolves.toEqual([member(3)]);
  });
});
