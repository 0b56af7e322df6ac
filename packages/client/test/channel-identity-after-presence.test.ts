// An outside review found: a channel put in use by presence (enter, update, get) was not bound to
// the object the app called it on. The engine's _enter and _get put the channel in use without
// the face object (only _listen recorded it), so a `channels.get(name)` / `pulse.channel(name)`
// made while it was in use made and kept a new object, which every later get returned: never the
// app's own, even after the app subscribed on it. docs/migrating.md says `get` returns the same
// object while the channel is in use (has listeners or presence), and Ably always does; the
// tutorial's order (enter first, `channels.get('posts')` again elsewhere) saw two channels for
// one name (comparisons, Maps keyed by channel, state kept on the channel object).
import { describe, expect, it } from 'vitest';
import { flush, setupPulse, setupRealtime } from './helpers.js';
import { setup } from './share-tabs.js';

describe('the channel object stays the same while presence keeps the channel in use', () => {
  it('Pulse.Realtime: channels.get(name) after presence.enter() on it returns that channel', async () => {
    const { ws, realtime } = setupRealtime();
    ws.autoPong = true;
    ws.last.accept();
    await flush();
    const posts = realtime.channels.get('posts');
    void posts.presence.enter({ name: 'Alice' });
    await flush();
    // Another part of the page (the tutorial's presence section) gets the channel again.
    const again = realtime.channels.get('posts');
    posts.subscribe('new_post', () => undefined);
    expect(again).toBe(posts);
    expect(realtime.channels.get('posts')).toBe(posts);
  });

  it('Pulse: pulse.channel(name) after presence.enter() on it returns that channel', async () => {
    const { ws, pulse } = setupPulse();
    ws.autoPong = true;
    ws.last.accept();
    await flush();
    const room = pulse.channel('room');
    void room.presence.enter({ name: 'Ada' });
    await flush();
    expect(pulse.channel('room')).toBe(room);
  });

  it('Pulse: pulse.channel(name) while a presence.get() on it waits returns that channel', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept(); // no pong: the read waits
    await flush();
    const room = pulse.channel('room');
    void room.presence.get();
    await flush();
    expect(pulse.channel('room')).toBe(room);
  });

  it('with shareConnection: pulse.channel(name) after presence.enter() on it returns that channel', async () => {
    const { ws, tab, settle } = setup();
    const { pulse } = tab();
    await settle();
    ws.last.accept();
    await settle();
    const room = pulse.channel('room');
    void room.presence.enter({ name: 'Ada' });
    await settle();
    expect(pulse.channel('room')).toBe(room);
  });
});
