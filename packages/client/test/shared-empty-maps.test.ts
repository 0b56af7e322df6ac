// Emitters and presence sets start with one shared empty Map each (an empty Map costs about 180 B,
// and most of them stay empty: bench "client memory"). The shared map must never be written: a
// handler or member added to it would reach every other client and channel.
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createEmitter } from '../src/emitter.js';
import { applyPresence, clearPresence, createPresenceSet } from '../src/presence.js';
import { setupPulse } from './helpers.js';

const member = (n: number): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}` });

describe('the shared empty maps stay empty', () => {
  it('emitters: a handler added to one is not in another; off and clear on an unused one change nothing', () => {
    const a = createEmitter<{ x: number }>();
    const b = createEmitter<{ x: number }>();
    const handler = vi.fn();
    b.off('x', handler);
    b.all.clear();
    a.on('x', handler);
    b.emit('x', 1);
    expect(handler).not.toHaveBeenCalled();
    expect(b.all.size).toBe(0);
    expect(createEmitter().all.size).toBe(0);
    a.emit('x', 2);
    expect(handler).toHaveBeenCalledWith(2);
  });

  it('presence sets: members of a synced set are not in a new or cleared one; changes before a sync are not kept', () => {
    const synced = createPresenceSet(() => {});
    const other = createPresenceSet(() => {});
    applyPresence(other, { type: 'presence', action: 'enter', channel: 'x', member: member(9) });
    applyPresence(synced, { type: 'presence', action: 'sync', channel: 'x', count: 1, members: [member(1)] });
    applyPresence(synced, { type: 'presence', action: 'enter', channel: 'x', member: member(2) });
    expect(synced._byId.size).toBe(2);
    expect(other._byId.size).toBe(0);
    clearPresence(synced);
    applyPresence(synced, { type: 'presence', action: 'leave', channel: 'x', member: member(1) });
    expect(synced._byId.size).toBe(0);
    expect(createPresenceSet(() => {})._byId.size).toBe(0);
  });

  it('two clients: presence and listeners of one are not seen by the other', () => {
    const one = setupPulse();
    const two = setupPulse();
    one.ws.last.accept();
    two.ws.last.accept();
    const seen = vi.fn();
    one.pulse.channel('room').presence.subscribe(seen);
    one.ws.last.receive({ type: 'presence', action: 'sync', channel: 'room', count: 1, members: [member(1)] });
    const room = two.pulse.channel('room');
    room.subscribe('m', () => {});
    expect(room.presence.members).toEqual([]);
    two.ws.last.receive({ type: 'presence', action: 'enter', channel: 'room', member: member(3) });
    expect(seen).toHaveBeenCalledTimes(1);
    expect(one.pulse.channel('room').presence.members).toEqual([member(1)]);
  });
});
