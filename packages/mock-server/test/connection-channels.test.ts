// A connection records its first channel in a field and only later ones in a Set (most
// connections subscribe to one channel: a Set each cost about 150 B of heap per idle connection).
// What it lists must not depend on that: every channel once, in the order subscribed.
import { describe, expect, it } from 'vitest';
import { Tenant } from '../src/channels.js';
import { PulseConnection } from '../src/connection.js';

// As ws makes a server's sockets (address null): no socket under it, which these tests never write to.
const ServerSideConnection = PulseConnection as unknown as new (address: null, protocols: undefined, options: object) => PulseConnection;

const connection = () => new ServerSideConnection(null, undefined, {}).accept('kb', 'u1', 1000, 2, 10);

describe('the channels a connection is subscribed to', () => {
  it('lists each channel once, in the order subscribed', () => {
    const c = connection();
    expect(c.info(2000).channels).toEqual([]);
    for (const name of ['a', 'b', 'a', 'c', 'b']) c.addChannel(name);
    expect(c.info(2000).channels).toEqual(['a', 'b', 'c']);
    expect(c.channelCount).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((name) => c.isSubscribed(name))).toEqual([true, true, true, false]);
  });

  it('keeps the order when the first channel is left, and after it is subscribed again', () => {
    const c = connection();
    for (const name of ['a', 'b', 'c']) c.addChannel(name);
    c.removeChannel('a');
    expect(c.info(2000).channels).toEqual(['b', 'c']);
    c.addChannel('a');
    expect(c.info(2000).channels).toEqual(['b', 'c', 'a']);
    c.removeChannel('c');
    c.removeChannel('b');
    expect(c.info(2000).channels).toEqual(['a']);
    expect(c.channelCount).toBe(1);
    c.removeChannel('a');
    c.removeChannel('a');
    expect(c.info(2000).channels).toEqual([]);
    expect(c.channelCount).toBe(0);
    expect(c.isSubscribed('a')).toBe(false);
    c.addChannel('d');
    expect(c.info(2000).channels).toEqual(['d']);
  });

  it('records each subscription under the channel state’s name, and forgets it on unsubscribe', () => {
    const tenant = new Tenant('kb', 'key', true, 'us-east-1');
    const [one, two] = [connection(), connection()];
    tenant.subscribe(one, ['ro', 'om'].join(''));
    tenant.subscribe(two, ['r', 'oom'].join(''));
    const state = tenant.channels.get('room');
    expect(state?.subscribers.size).toBe(2);
    expect(one.channelNames()[0]).toBe(state?.name);
    tenant.unsubscribe(one, 'room');
    tenant.unsubscribe(two, 'room');
    expect(tenant.channels.has('room')).toBe(false);
    expect([one.channelCount, two.channelCount]).toEqual([0, 0]);
  });
});
