// The transport listens to ws's own `message` event on a socket that is ws (`on`, `off` and
// binaryType 'nodebuffer'), and sets `onmessage` on any other. WebSocketLike documented `on`/`off`
// (each optional) for ws's `unexpected-response` only, so sockets that follow that contract must
// keep working as before. (An outside review found both failing when any `on` meant ws.)
import { describe, expect, it, vi } from 'vitest';
import type { WebSocketLike, WebSocketLikeConstructor } from '../src/transport.js';
import { createFakeWebSocket, type FakeSocket } from './fake-websocket.js';
import { setupPulse } from './helpers.js';

const CH = 'room';
const message = { type: 'message', channel: CH, data: { type: 'chat', n: 1 }, timestamp: 1 };

/** Sockets built by the fake factory, with `on`/`off` replaced by `adapt`. */
function sockets(adapt: (socket: FakeSocket, on: NonNullable<WebSocketLike['on']>, off: NonNullable<WebSocketLike['off']>) => void) {
  const factory = createFakeWebSocket(true);
  const Base = factory.WebSocket as unknown as new (url: string) => FakeSocket;
  class Adapted extends Base {
    constructor(url: string) {
      super(url);
      adapt(this, this.on!.bind(this), this.off!.bind(this));
    }
  }
  return { factory, WebSocket: Adapted as unknown as WebSocketLikeConstructor };
}

function listening(WebSocket: WebSocketLikeConstructor) {
  const setup = setupPulse({ WebSocket });
  const messages = vi.fn();
  setup.pulse.channel(CH).subscribe(messages);
  return { ...setup, messages };
}

describe('sockets with `on` that are not ws', () => {
  it('a socket whose on/off serve unexpected-response only (the documented contract) still gets its messages through onmessage', () => {
    const { factory, WebSocket } = sockets((socket, on, off) => {
      socket.binaryType = undefined;
      socket.on = ((event: string, listener: never) => (event === 'unexpected-response' ? on(event, listener) : undefined)) as WebSocketLike['on'];
      socket.off = ((event: string, listener: never) => (event === 'unexpected-response' ? off(event, listener) : undefined)) as WebSocketLike['off'];
    });
    const { messages } = listening(WebSocket);
    factory.last.accept();
    factory.last.receive(message);
    expect(messages).toHaveBeenCalledTimes(1);
  });

  it('a socket with `on` but no `off` (each is optional) delivers nothing once the client has left it', () => {
    const { factory, WebSocket } = sockets((socket) => {
      socket.off = undefined;
    });
    const { messages, pulse } = listening(WebSocket);
    factory.last.accept();
    const old = factory.last;
    old.receive(message);
    expect(messages).toHaveBeenCalledTimes(1);
    pulse.disconnect();
    // A message the socket still had buffered when the client closed it.
    old.receive(message);
    expect(messages).toHaveBeenCalledTimes(1);
  });
});
