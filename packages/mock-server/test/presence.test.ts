import { describe, expect, it } from 'vitest';
import { MAX_PRESENCE_MEMBERS } from '@openkbs-pulse/protocol';
import { ChannelState, fanOut, Tenant } from '../src/channels.js';
import { PulseConnection } from '../src/connection.js';

// As ws makes a server's sockets (address null): no socket under it, which these tests never write to.
const ServerSideConnection = PulseConnection as unknown as new (address: null, protocols: undefined, options: object) => PulseConnection;
import { enterPresence, leavePresence, presenceSnapshot, presenceSync } from '../src/presence.js';

const connection = (userId: string) => new ServerSideConnection(null, undefined, {}).accept('kb', userId, 1000, 2, 10);

describe('presence', () => {
  it('enters, updates (entering twice updates), and leaves', () => {
    const state = new ChannelState('room');
    const alice = connection('alice');
    expect(enterPresence(state, 'room', alice, { name: 'A' })).toEqual({
      type: 'presence',
      action: 'enter',
      channel: 'room',
      member: { userId: 'alice', connectionId: alice.id, connectedAt: 1000, data: { name: 'A' } },
    });
    expect(enterPresence(state, 'room', alice, { name: 'B' })).toMatchObject({ action: 'update', member: { data: { name: 'B' } } });
    expect([...(alice.present ?? [])]).toEqual(['room']);
    expect(leavePresence(state, 'room', alice)).toMatchObject({ action: 'leave', member: { connectionId: alice.id } });
    expect(alice.present?.size).toBe(0);
    expect(leavePresence(state, 'room', alice)).toBeUndefined();
    expect(state.empty).toBe(true);
  });

  it('omits data when none was given', () => {
    const change = enterPresence(new ChannelState('room'), 'room', connection('c1'), undefined);
    expect('data' in change.member).toBe(false);
  });

  it('lists at most 100 members in order of entry, with the exact count', () => {
    const state = new ChannelState('room');
    const entered = Array.from({ length: 150 }, (_, i) => connection(`u${i}`));
    for (const c of entered) enterPresence(state, 'room', c, undefined);
    const sync = presenceSync(state, 'room');
    expect(sync.count).toBe(150);
    expect(sync.members).toHaveLength(MAX_PRESENCE_MEMBERS);
    expect(sync.members[0]?.connectionId).toBe(entered[0]!.id);
    expect(sync.members[99]?.connectionId).toBe(entered[99]!.id);
    expect(presenceSnapshot(undefined)).toEqual({ count: 0, members: [] });
  });
});

describe('channels', () => {
  it('fans one buffer out to every subscriber and counts deliveries', () => {
    const tenant = new Tenant('kb', 'key', true, 'us-east-1');
    const a = connection('a');
    const b = connection('b');
    tenant.subscribe(a, 'chat');
    tenant.subscribe(b, 'chat');
    const frame = Buffer.from('{}');
    const seen: [string, Buffer][] = [];
    const delivered = fanOut(tenant.channels.get('chat'), frame, (c, buffer) => {
      seen.push([c.userId, buffer]);
      return c === a;
    });
    expect(delivered).toBe(1);
    expect(seen.map(([userId]) => userId)).toEqual(['a', 'b']);
    expect(seen.every(([, buffer]) => buffer === frame)).toBe(true);
    expect(fanOut(undefined, frame, () => true)).toBe(0);
  });

  it('forgets a channel once it has no subscriber and no member', () => {
    const tenant = new Tenant('kb', 'key', true, 'us-east-1');
    const a = connection('a');
    tenant.subscribe(a, 'chat');
    enterPresence(tenant.channel('chat'), 'chat', a, undefined);
    tenant.unsubscribe(a, 'chat');
    expect(tenant.channels.has('chat')).toBe(true);
    expect(tenant.presenceMembers()).toBe(1);
    leavePresence(tenant.channels.get('chat'), 'chat', a);
    tenant.release('chat');
    expect(tenant.channels.size).toBe(0);
  });
});
