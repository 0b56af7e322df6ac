// Server rendering with openkbs-pulse/react: a tree using every hook renders with renderToString
// and with streaming (renderToPipeableStream), with no WebSocket in the runtime, and opens
// nothing: no socket is constructed, a client passed in is not connected, and the hooks give
// their stable initial values (the same ones hydration starts from).
import { PassThrough } from 'node:stream';
import { createElement as h, StrictMode, type ReactNode } from 'react';
import { renderToPipeableStream, renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Pulse, { isPulseError, type WebSocketLikeConstructor } from '../src/index.js';
import {
  PulseProvider,
  defineChannel,
  useChannel,
  useChannelEvents,
  useConnectionError,
  useConnectionState,
  usePresence,
  usePublish,
  usePulseClient,
  type Publish,
  type PulseProviderOptions,
} from '../src/react/index.js';

/** Sockets anything tried to open: the test's WebSocket records and refuses. */
let constructed: string[] = [];
const RecordingWebSocket = class {
  constructor(url: string) {
    constructed.push(url);
    throw new Error('server rendering must not open a socket');
  }
} as unknown as WebSocketLikeConstructor;

const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
beforeEach(() => {
  constructed = [];
  // No WebSocket in this runtime (Node 22 has a global one).
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
});
afterEach(() => {
  if (saved !== undefined) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
});

const chat = defineChannel<{ message: { text: string } }>('chat');
let publish: Publish<{ message: { text: string } }> | undefined;

function EveryHook(): ReactNode {
  const state = useConnectionState();
  const error = useConnectionError();
  const client = usePulseClient();
  const { members, count, error: presenceError } = usePresence(chat, { name: 'Ada' });
  const messages = useChannelEvents(chat, 'message');
  useChannel(chat, 'message', () => {
    throw new Error('no message on the server');
  });
  publish = usePublish(chat);
  return h(
    'p',
    null,
    [state, error?.code ?? 'no-error', client ? 'client' : 'no-client', members.length, count, presenceError?.code ?? 'ok', messages.length].join(' '),
  );
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
// A well-formed token (never sent anywhere): the client checks its shape and claims.
const token = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ kbId: 'kb', userId: 'ada', exp: 4_102_444_800 })}.c2ln`;
const options: PulseProviderOptions = { kbId: 'kb', token, endpoint: 'ws://127.0.0.1:9', WebSocket: RecordingWebSocket };
const EXPECTED = '<p>connecting no-error no-client 0 0 ok 0</p>';

function stream(tree: ReactNode): Promise<string> {
  return new Promise((resolve, reject) => {
    let html = '';
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => (html += chunk.toString()));
    sink.on('end', () => resolve(html));
    const { pipe } = renderToPipeableStream(tree, { onAllReady: () => pipe(sink), onShellError: reject, onError: reject });
  });
}

describe('openkbs-pulse/react on the server', () => {
  it('renderToString of every hook under a provider with options opens nothing and renders the initial values', () => {
    expect(typeof (globalThis as { WebSocket?: unknown }).WebSocket).toBe('undefined');
    const html = renderToString(h(StrictMode, null, h(PulseProvider, { options }, h(EveryHook))));
    expect(html).toBe(EXPECTED);
    expect(constructed).toEqual([]);
  });

  it('streaming renders the same and opens nothing', async () => {
    const html = await stream(h(PulseProvider, { options }, h(EveryHook)));
    expect(html).toContain(EXPECTED);
    expect(constructed).toEqual([]);
  });

  it('a client passed in is neither connected nor used while rendering', () => {
    const client = new Pulse({ ...options, kbId: 'kb', token, autoConnect: false });
    const before = client.state;
    expect(renderToString(h(PulseProvider, { client }, h(EveryHook)))).toBe(EXPECTED);
    expect(client.state).toBe(before);
    expect(constructed).toEqual([]);
  });

  it('publishing without a mounted provider rejects with not_connected, saying where to call it', async () => {
    renderToString(h(PulseProvider, { options }, h(EveryHook)));
    const error: unknown = await publish!('message', { text: 'hi' }).catch((e: unknown) => e);
    expect(isPulseError(error) && error.code).toBe('not_connected');
    expect(String((error as Error).message)).toMatch(/event handler or an effect/);
    expect(constructed).toEqual([]);
  });

  it('hooks outside a provider, and a provider without client or options, throw a PulseError that says how to fix it', () => {
    const outside = (() => {
      try {
        renderToString(h(EveryHook));
      } catch (e) {
        return e;
      }
    })();
    expect(isPulseError(outside) && outside.code).toBe('invalid_argument');
    expect(String((outside as Error).message)).toMatch(/inside <PulseProvider>/);
    const empty = (() => {
      try {
        renderToString(h(PulseProvider, {} as never, h('p')));
      } catch (e) {
        return e;
      }
    })();
    expect(isPulseError(empty) && empty.code).toBe('invalid_argument');
    for (const [bad, says] of [
      [{ kbId: 'kb' }, /need a token or an authCallback/],
      [{ token }, /need a kbId, or an authCallback answering \{ kbId, token \}/],
    ] as const) {
      let error: unknown;
      try {
        renderToString(h(PulseProvider, { options: bad }, h('p')));
      } catch (e) {
        error = e;
      }
      expect(isPulseError(error) && error.code).toBe('invalid_argument');
      expect(String((error as Error).message)).toMatch(says);
    }
  });

  it('a bad channel name, limit or presence data is refused during render with a PulseError', () => {
    function Bad({ which }: { which: string }): ReactNode {
      if (which === 'channel') useChannel('', 'message', () => {});
      else if (which === 'limit') useChannelEvents('chat', 'message', { limit: 0 });
      else if (which === 'bigint') usePresence('chat', { n: 1n });
      else usePresence('chat', () => {});
      return null;
    }
    for (const which of ['channel', 'limit', 'bigint', 'function']) {
      let error: unknown;
      try {
        renderToString(h(PulseProvider, { options }, h(Bad, { which })));
      } catch (e) {
        error = e;
      }
      expect(isPulseError(error) && error.code).toBe('invalid_argument');
    }
  });
});
