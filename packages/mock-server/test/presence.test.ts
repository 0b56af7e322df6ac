import { describe, expect, it } from 'vitest';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { MAX_PRESENCE_MEMBERS } from '@openkbs-pulse/protocol';
import { ChannelState, fanOut, Tenant } from '../src/channels.js';
import { PulseConnection } from '../src/connection.js';
import { enterPresence, leavePresence, presenceSnapshot, presenceSync } from '../src/presence.js';

const fakeSocket = {} as WebSocket;
const connection = (id: string, userId = id) => new PulseConnection(id, 'kb', userId, fakeSocket, 1000, 2000, 4001, {} as Duplex, 10);

describe('presence', () => {
  it('enters, updates (entering twice updates), and leaves', () => {
    const state = new ChannelState('room');
    const alice = connection('c1', 'alice');
    expect(enterPresence(state, 'room', alice, { name: 'A' })).toEqual({
      type: 'presence',
      action: 'enter',
      channel: 'room',
      member: { userId: 'alice', connectionId: 'c1', connectedAt: 1000, data: { name: 'A' } },
    });
    expect(enterPresence(state, 'room', alice, { name: 'B' })).toMatchObject({ action: 'update', member: { data: { name: 'B' } } });
    expect([...(alice.present ?? [])]).toEqual(['room']);
    expect(leavePresence(state, 'room', alice)).toMatchObject({ action: 'leave', member: { connectionId: 'c1' } });
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
    for (let i = 0; i < 150; i++) enterPresence(state, 'room', connection(`c${i}`), undefined);
    const sync = presenceSync(state, 'room');
    expect(sync.count).toBe(150);
    expect(sync.members).toHaveLength(MAX_PRESENCE_MEMBERS);
    expect(sync.members[0]?.connectionId).toBe('c0');
    expect(sync.members[99]?.connectionId).toBe('c99');
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
      seen.push([c.id, buffer]);
      return c.id === 'a';
    });
    expect(delivered).toBe(1);
    expect(seen.map(([id]) => id)).toEqual(['a', 'b']);
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
