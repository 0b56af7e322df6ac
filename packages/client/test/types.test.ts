import type { MessageFrame, PresenceMember, PulseError } from '@openkbs-pulse/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import Pulse, { type PulseChannel, type RealtimeMessage } from '../src/index.js';
import { setupPulse, setupRealtime } from './helpers.js';

describe('types', () => {
  it('generic event maps type subscribe and publish (Pulse)', () => {
    const { pulse } = setupPulse({ autoConnect: false });
    const chat = pulse.channel<{ message: { text: string }; typing: { user: string } }>('chat');
    expectTypeOf(chat).toEqualTypeOf<PulseChannel<{ message: { text: string }; typing: { user: string } }>>();
    chat.subscribe('message', (d, frame) => {
      // The runtime adds the event name as `type`; the type says so.
      expectTypeOf(d).toEqualTypeOf<{ text: string } & { type: 'message' }>();
      expectTypeOf(d.text).toBeString();
      expectTypeOf(frame).toEqualTypeOf<MessageFrame>();
    });
    chat.subscribe((d) => {
      // A catch-all listener narrows on `type`.
      if (d.type === 'message') expectTypeOf(d.text).toBeString();
      else expectTypeOf(d.user).toBeString();
    });
    // @ts-expect-error unknown event on a typed channel
    chat.subscribe('mesage', () => {});
    // @ts-expect-error wrong payload
    void chat.publish('message', { text: 1 }).catch(() => {});
    void chat.publish('typing', { user: 'a' }).catch(() => {});
    expectTypeOf(chat.presence.members).toEqualTypeOf<PresenceMember[]>();
    expectTypeOf(chat.presence.count).toBeNumber();
  });

  it('event maps may be interfaces (no index signature), on both faces', () => {
    interface ChatEvents {
      message: { text: string };
      typing: { user: string };
    }
    const { pulse } = setupPulse({ autoConnect: false });
    const chat = pulse.channel<ChatEvents>('chat');
    chat.subscribe('message', (d) => expectTypeOf(d.text).toBeString());
    // @ts-expect-error unknown event on an interface-typed channel
    chat.subscribe('mesage', () => {});
    const { realtime } = setupRealtime({ autoConnect: false });
    realtime.channels.get<ChatEvents>('chat').subscribe('typing', (m) => expectTypeOf(m.data.user).toBeString());
    realtime.connection.on('update', (change) => expectTypeOf(change.reason).toEqualTypeOf<PulseError | undefined>());
    // Refused by the types, and at run time too (invalid_argument).
    // @ts-expect-error not a connection event
    expect(() => realtime.connection.on('bogus', () => {})).toThrow(/unknown event "bogus"/);
  });

  it('untyped channels accept an annotated callback, as in the seed', () => {
    const { pulse } = setupPulse({ autoConnect: false });
    interface Message {
      text: string;
      user: string;
    }
    pulse.channel('chat').subscribe('message', (data: Message) => expectTypeOf(data.user).toBeString());
    pulse.channel('chat').subscribe('message', (data) => expectTypeOf(data.type).toBeString());
  });

  it('Realtime channels are typed too, and Pulse.Realtime is the class', () => {
    const { realtime } = setupRealtime({ autoConnect: false });
    expectTypeOf(realtime).toEqualTypeOf<InstanceType<typeof Pulse.Realtime>>();
    const posts = realtime.channels.get<{ new_post: { post: { id: number } } }>('posts');
    posts.subscribe('new_post', (msg) => {
      expectTypeOf(msg).toEqualTypeOf<RealtimeMessage<{ post: { id: number } } & { type: 'new_post' }>>();
      expectTypeOf(msg.data.post.id).toBeNumber();
    });
    // Ably's states on the Ably-style face; the seed's five on Pulse.
    expectTypeOf(realtime.connection.state).toEqualTypeOf<'initialized' | 'connecting' | 'connected' | 'disconnected' | 'suspended' | 'closing' | 'closed' | 'failed'>();
    const { pulse } = setupPulse({ autoConnect: false });
    expectTypeOf(pulse.state).toEqualTypeOf<'connecting' | 'connected' | 'disconnected' | 'reconnecting' | 'failed'>();
  });
});
