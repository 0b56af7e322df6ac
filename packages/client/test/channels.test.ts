import type { MessageFrame } from '@openkbs-pulse/protocol';
import { describe, expect, it, vi } from 'vitest';
import { setupPulse, setupRealtime } from './helpers.js';

const message = (channel: string, type: string, extra: object = {}): MessageFrame => ({
  type: 'message',
  channel,
  data: { type, ...extra },
  timestamp: 1704067200000,
});

describe('channels (Pulse face)', () => {
  it('subscribes on the server once, on first use, even with several listeners', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const chat = pulse.channel('chat');
    chat.subscribe('a', () => {});
    chat.subscribe('b', () => {});
    chat.subscribe(() => {});
    pulse.channel('chat').subscribe('a', () => {});
    expect(ws.last.actions).toEqual([{ action: 'subscribe', channel: 'chat' }]);
  });

  it('subscribes channels used before the connection opened, once, when it opens', () => {
    const { ws, pulse } = setupPulse();
    pulse.channel('a').subscribe('x', () => {});
    pulse.channel('b').subscribe('x', () => {});
    ws.last.accept();
    expect(ws.last.actions).toEqual([
      { action: 'subscribe', channel: 'a' },
      { action: 'subscribe', channel: 'b' },
    ]);
  });

  it('dispatches by event name with (data, frame), and to catch-all listeners', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const chat = pulse.channel('chat');
    const one = vi.fn();
    const all = vi.fn();
    chat.subscribe('new_message', one);
    chat.subscribe(all);
    const frame = message('chat', 'new_message', { text: 'Hello' });
    ws.last.receive(frame);
    ws.last.receive(message('chat', 'typing'));
    ws.last.receive(message('other', 'new_message'));
    expect(one).toHaveBeenCalledTimes(1);
    expect(one).toHaveBeenCalledWith({ type: 'new_message', text: 'Hello' }, frame);
    expect(all.mock.calls.map((c) => (c[0] as { type: string }).type)).toEqual(['new_message', 'typing']);
  });

  it('the returned function stops one listener; the last one unsubscribes on the server', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const chat = pulse.channel('chat');
    const a = vi.fn();
    const offA = chat.subscribe('m', a);
    const offB = chat.subscribe('m', () => {});
    offA();
    ws.last.receive(message('chat', 'm'));
    expect(a).not.toHaveBeenCalled();
    expect(ws.last.actions.map((x) => x.action)).toEqual(['subscribe']);
    offB();
    expect(ws.last.actions.map((x) => x.action)).toEqual(['subscribe', 'unsubscribe']);
    chat.subscribe('m', () => {});
    expect(ws.last.actions.map((x) => x.action)).toEqual(['subscribe', 'unsubscribe', 'subscribe']);
  });

  it('channel.unsubscribe() drops every listener and the server subscription', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const chat = pulse.channel('chat');
    const cb = vi.fn();
    chat.subscribe('m', cb);
    chat.subscribe(cb);
    chat.unsubscribe();
    ws.last.receive(message('chat', 'm'));
    expect(cb).not.toHaveBeenCalled();
    expect(ws.last.actions).toEqual([
      { action: 'subscribe', channel: 'chat' },
      { action: 'unsubscribe', channel: 'chat' },
    ]);
  });

  it('resubscribes every channel after a reconnect, without duplicates', () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    pulse.channel('a').subscribe('x', () => {});
    pulse.channel('b').subscribe('x', () => {});
    pulse.channel('gone').subscribe('x', () => {})();
    ws.last.drop(1001);
    clock.advance(1000);
    ws.last.accept();
    expect(ws.last.actions).toEqual([
      { action: 'subscribe', channel: 'a' },
      { action: 'subscribe', channel: 'b' },
    ]);
  });
});

describe('channels (Realtime face)', () => {
  it('delivers { name, data, timestamp, channel } by name and to catch-all listeners', () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const posts = realtime.channels.get('posts');
    const one = vi.fn();
    const all = vi.fn();
    posts.subscribe('new_post', one);
    posts.subscribe(all);
    expect(realtime.channels.get('posts')).toBe(posts); // the same object while in use
    ws.last.receive(message('posts', 'new_post', { post: { id: 1 } }));
    expect(one).toHaveBeenCalledWith({
      name: 'new_post',
      data: { type: 'new_post', post: { id: 1 } },
      timestamp: 1704067200000,
      channel: 'posts',
    });
    expect(all).toHaveBeenCalledTimes(1);
    expect(ws.last.actions).toEqual([{ action: 'subscribe', channel: 'posts' }]);
  });

  it('unsubscribe(name, cb), unsubscribe(cb), unsubscribe() and detach()', () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const posts = realtime.channels.get('posts');
    const a = vi.fn();
    const b = vi.fn();
    posts.subscribe('x', a);
    posts.subscribe('y', a);
    posts.subscribe(b);
    posts.unsubscribe('x', a);
    ws.last.receive(message('posts', 'x'));
    expect(a).not.toHaveBeenCalled();
    posts.unsubscribe(a);
    ws.last.receive(message('posts', 'y'));
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(2);
    posts.unsubscribe();
    expect(ws.last.actions.map((x) => x.action)).toEqual(['subscribe', 'unsubscribe']);
    posts.subscribe(b);
    posts.detach();
    ws.last.receive(message('posts', 'y'));
    expect(b).toHaveBeenCalledTimes(2);
    expect(ws.last.actions.map((x) => x.action)).toEqual(['subscribe', 'unsubscribe', 'subscribe', 'unsubscribe']);
  });

  it('publishes through the same engine and reports connection states', async () => {
    const { ws, realtime } = setupRealtime({ clientId: 'alice' });
    const seen: string[] = [];
    const any = vi.fn();
    realtime.connection.on('connected', (change) => seen.push(`${change.previous}->${change.current}`));
    realtime.connection.on(any);
    ws.autoPong = true;
    ws.last.accept();
    expect(realtime.connection.state).toBe('connected');
    expect(realtime.clientId).toBe('alice');
    await realtime.channels.get('posts').publish('new_post', { post: { id: 2 } });
    expect(ws.last.actions).toEqual([{ action: 'publish', channel: 'posts', event: 'new_post', data: { post: { id: 2 } } }, { action: 'ping' }]);
    realtime.connection.off(any);
    realtime.close();
    expect(seen).toEqual(['connecting->connected']);
    expect(any).toHaveBeenCalledTimes(1);
  });
});

// Found by an outside review: with the `channel` option, a subscribe after the URL's channel was
// unsubscribed sent nothing (the client assumed the URL's subscription still stood), and reading
// presence.count kept a channel subscribed after its last listener went.
describe('channels the client lets go of', () => {
  const message = { type: 'message', channel: 'room', data: { type: 'm' }, timestamp: 1 } as const;

  it('the connect URL\'s channel: subscribe, let go (unsubscribe(), the last stop(), or release), subscribe again: subscribed again', () => {
    for (const letGo of ['unsubscribe', 'stop', 'release'] as const) {
      const setup = letGo === 'release' ? setupRealtime({ channel: 'room' }) : setupPulse({ channel: 'room' });
      const { ws } = setup;
      ws.last.accept();
      const got: string[] = [];
      // Both faces' channels, called the same way here.
      type Either = { subscribe(event: string, cb: () => void): unknown; unsubscribe(): void };
      const channel = (): Either => ('pulse' in setup ? setup.pulse.channel('room') : setup.realtime.channels.get('room')) as unknown as Either;
      const stop = channel().subscribe('m', () => got.push('first')) as (() => void) | undefined;
      if (letGo === 'stop') stop!();
      else if (letGo === 'unsubscribe') channel().unsubscribe();
      else if ('realtime' in setup) setup.realtime.channels.release('room');
      expect(ws.last.frames, letGo).toEqual([{ action: 'unsubscribe', channel: 'room' }]);
      channel().subscribe('m', () => got.push('again'));
      expect(ws.last.frames, letGo).toEqual([
        { action: 'unsubscribe', channel: 'room' },
        { action: 'subscribe', channel: 'room' },
      ]);
      ws.last.receive(message);
      expect(got, letGo).toEqual(['again']);
    }
  });

  it('reading presence.count or members of a subscribed channel tracks presence only while it has listeners', () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const stop = pulse.channel('doc-1').subscribe('m', () => {});
    void pulse.channel('doc-1').presence.count;
    void JSON.stringify(pulse.channel('doc-1'));
    expect(ws.last.frames).toEqual([
      { action: 'subscribe', channel: 'doc-1' },
      { action: 'presence', channel: 'doc-1' },
    ]);
    stop();
    expect(ws.last.frames.at(-1)).toEqual({ action: 'unsubscribe', channel: 'doc-1' });
    expect(pulse.channel('doc-1').presence.count).toBe(0);
  });
});
