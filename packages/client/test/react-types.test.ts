// Types of openkbs-pulse/react, checked by `tsc` (the typecheck step): a typed channel gives its
// handlers their payload types and refuses unknown event names, as `pulse.channel<E>()` does.
// The hooks are only type-checked here (never called: they need a component), so each case sits
// in a function the test hands to expectTypeOf.
import type { JsonObject, MessageFrame, PresenceMember, PulseError } from '@openkbs-pulse/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import type { ConnectionState, Pulse } from '../src/index.js';
import {
  defineChannel,
  useChannel,
  useChannelEvents,
  useConnectionError,
  useConnectionState,
  usePresence,
  usePublish,
  usePulseClient,
  type ChannelName,
} from '../src/react/index.js';

interface ChatEvents {
  message: { user: string; text: string };
  typing: { user: string };
}

describe('openkbs-pulse/react types', () => {
  it('a typed channel types handlers, messages and publish, and refuses unknown events', () => {
    const chat = defineChannel<ChatEvents>('chat');
    expectTypeOf(chat).toEqualTypeOf<ChannelName<ChatEvents>>();
    expectTypeOf(chat).toMatchTypeOf<string>();
    const component = () => {
      useChannel(chat, 'message', (data, frame) => {
        expectTypeOf(data).toMatchTypeOf<{ user: string; text: string }>();
        expectTypeOf(data.text).toBeString();
        expectTypeOf(frame).toEqualTypeOf<MessageFrame>();
      });
      useChannel(chat, (data) => {
        expectTypeOf(data.user).toBeString();
        // @ts-expect-error any event: `text` is not on every payload
        void data.text;
      });
      // @ts-expect-error unknown event on a typed channel
      useChannel(chat, 'mesage', () => {});
      // @ts-expect-error the handler of `typing` has no `text`
      useChannel(chat, 'typing', (data) => data.text);
      const typing = useChannelEvents(chat, 'typing');
      expectTypeOf(typing[0]!.user).toBeString();
      // @ts-expect-error a `typing` payload has no `text`
      void typing[0]!.text;
      // @ts-expect-error unknown event on a typed channel
      useChannelEvents(chat, 'bogus');
      const publish = usePublish(chat);
      void publish('message', { user: 'a', text: 'hi' });
      // @ts-expect-error wrong payload
      void publish('message', { user: 'a', text: 1 });
      // @ts-expect-error unknown event
      void publish('mesage', { user: 'a', text: 'hi' });
    };
    expectTypeOf(component).toBeFunction();
  });

  it('a plain string is an untyped channel: any event, JSON object payloads', () => {
    const component = () => {
      useChannel('news', 'anything', (data) => expectTypeOf(data).toMatchTypeOf<JsonObject>());
      void usePublish('news')('whatever', { a: 1 });
      const presence = usePresence('room', { name: 'Ada' });
      expectTypeOf(presence.members).toEqualTypeOf<readonly PresenceMember[]>();
      expectTypeOf(presence.count).toBeNumber();
      expectTypeOf(presence.error).toEqualTypeOf<PulseError | undefined>();
      expectTypeOf(useConnectionState()).toEqualTypeOf<ConnectionState>();
      expectTypeOf(useConnectionError()).toEqualTypeOf<PulseError | undefined>();
      expectTypeOf(usePulseClient()).toEqualTypeOf<Pulse | undefined>();
    };
    expectTypeOf(component).toBeFunction();
  });
});
