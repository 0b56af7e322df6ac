/**
 * A fake WebSocket for unit tests: the test plays the service. Each `new` is recorded in
 * `sockets`; drive a socket with `accept()`, `receive(frame)`, `drop(code)`, `refuse(status, body)`.
 *
 * With `autoPong` set on the factory, each ping the client sends is answered with a pong (after
 * a microtask, as a service answers), which confirms the publishes sent before it.
 *
 * Extend it by adding a method that calls the handler the client installed (`onopen`,
 * `onmessage`, `onclose`, `onerror`, or the `ws`-style `unexpected-response` listeners).
 */
import type { ClientAction, ServerFrame } from '@openkbs-pulse/protocol';
import type { HttpResponseLike, WebSocketLike, WebSocketLikeConstructor } from '../src/transport.js';

type ResponseListener = (request: unknown, response: HttpResponseLike) => void;

/** One fake socket. */
export interface FakeSocket extends WebSocketLike {
  readonly url: string;
  /** Raw frames the client sent. */
  readonly sent: string[];
  /** Sent frames, parsed. */
  readonly actions: ClientAction[];
  /** Sent frames other than pings (the client pings to confirm publishes), parsed. */
  readonly frames: ClientAction[];
  /** Answers the oldest ping with a pong. */
  pong(): void;
  /** Whether the client called `close()` / `terminate()`. */
  readonly closedByClient: boolean;
  readonly query: URLSearchParams;
  /** Opens the socket. */
  accept(): void;
  /** Delivers a frame (an object is JSON-encoded). */
  receive(frame: ServerFrame | string | object): void;
  /** Node-style sockets: hands ws's `message` listeners raw bytes (and whether they are binary). */
  receiveRaw(data: unknown, isBinary: boolean): void;
  /** The service closes the socket (1006 = abrupt: `error`, then `close`). */
  drop(code?: number, reason?: string): void;
  /** Node-style refused upgrade: `unexpected-response` with a JSON body, as `ws` reports it. */
  /** Refuses the upgrade with `status` and a JSON `body`; `stall`: the body never ends (nor the socket). */
  refuse(status: number, body?: object, stall?: boolean): void;
  /** Number of installed handlers/listeners (for leak checks). */
  listenerCount(): number;
}

/** A fake WebSocket constructor plus every socket it created. */
export interface FakeWebSocketFactory {
  WebSocket: WebSocketLikeConstructor;
  sockets: FakeSocket[];
  /** The most recent socket. */
  readonly last: FakeSocket;
  /** Answer every ping with a pong (a microtask later) while the socket is open. Default false. */
  autoPong: boolean;
}

/**
 * @param nodeStyle give sockets `on`/`off`/`terminate` like `ws` (default true); false = browser-like.
 */
export function createFakeWebSocket(nodeStyle = true): FakeWebSocketFactory {
  const sockets: FakeSocket[] = [];
  const factory = { autoPong: false };

  class Socket implements FakeSocket {
    readyState = 0;
    onopen: WebSocketLike['onopen'] = null;
    onmessage: WebSocketLike['onmessage'] = null;
    onclose: WebSocketLike['onclose'] = null;
    onerror: WebSocketLike['onerror'] = null;
    readonly sent: string[] = [];
    closedByClient = false;
    readonly query: URLSearchParams;
    /** Node-style sockets: listeners by event (`message`: a Buffer and isBinary; `close`: code and reason; `error`; `unexpected-response`). */
    private listeners: Record<string, ((...args: never[]) => void)[]> = {};
    on?: WebSocketLike['on'];
    off?: WebSocketLike['off'];
    /** Node-style sockets are ws-like: 'nodebuffer', as ws says. */
    binaryType?: string;
    terminate?: () => void;

    constructor(readonly url: string) {
      this.query = new URL(url).searchParams;
      sockets.push(this);
      if (nodeStyle) {
        this.on = (event: string, listener: never) => (this.listeners[event] ??= []).push(listener);
        this.off = (event: string, listener: never) => {
          this.listeners[event] = (this.listeners[event] ?? []).filter((l) => l !== listener);
        };
        this.terminate = () => this.close();
        this.binaryType = 'nodebuffer';
      }
    }
    get actions(): ClientAction[] {
      return this.sent.map((text) => JSON.parse(text) as ClientAction);
    }
    get frames(): ClientAction[] {
      return this.actions.filter((a) => a.action !== 'ping');
    }
    send(data: string): void {
      if (this.readyState !== 1) throw new Error(`send() in readyState ${this.readyState}`);
      this.sent.push(data);
      if (factory.autoPong && data === '{"action":"ping"}') {
        // Not queueMicrotask: some tests replace it with a synchronous stand-in.
        void Promise.resolve().then(() => {
          if (this.readyState === 1) this.pong();
        });
      }
    }
    pong(): void {
      this.receive({ type: 'pong', timestamp: 1 });
    }
    close(code = 1000): void {
      this.closedByClient = true;
      if (this.readyState === 3) return;
      this.readyState = 3;
      // As in browsers and ws, the close event follows (here: a microtask later, the peer answering at once).
      queueMicrotask(() => this.closed(code, ''));
    }
    accept(): void {
      this.readyState = 1;
      this.onopen?.({});
    }
    receive(frame: ServerFrame | string | object): void {
      const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
      // As ws: a text message reaches `message` listeners as a Buffer.
      for (const listener of this.listeners.message ?? []) (listener as (data: unknown, isBinary: boolean) => void)(Buffer.from(text), false);
      this.onmessage?.({ data: text });
    }
    /** What ws hands `message` listeners: raw bytes and whether the frame was binary. */
    receiveRaw(data: unknown, isBinary: boolean): void {
      for (const listener of this.listeners.message ?? []) (listener as (data: unknown, isBinary: boolean) => void)(data, isBinary);
    }
    drop(code = 1006, reason = ''): void {
      this.readyState = 3;
      // As in browsers and ws: only an abnormal close (1006) comes with an error event first.
      if (code === 1006) {
        // As ws: an Error to `error` listeners, an ErrorEvent to `onerror`.
        const error = new Error('socket hang up');
        for (const listener of this.listeners.error ?? []) (listener as (error: unknown) => void)(error);
        this.onerror?.({ error });
      }
      this.closed(code, reason);
    }
    /** Tells `close` listeners (ws: the code and the reason's bytes) and `onclose`. */
    private closed(code: number, reason: string): void {
      for (const listener of this.listeners.close ?? []) (listener as (code: number, reason: Buffer) => void)(code, Buffer.from(reason));
      this.onclose?.({ code, reason });
    }
    refuse(status: number, body?: object, stall = false): void {
      const handlers: Record<string, ((chunk?: unknown) => void)[]> = {};
      const response = {
        statusCode: status,
        on(event: string, listener: (chunk?: unknown) => void) {
          (handlers[event] ??= []).push(listener);
          return response;
        },
      } as HttpResponseLike;
      for (const listener of this.listeners['unexpected-response'] ?? []) (listener as ResponseListener)({}, response);
      if (stall) return;
      if (body) for (const h of handlers.data ?? []) h(JSON.stringify(body));
      for (const h of handlers.end ?? []) h();
      if (this.readyState !== 3) this.drop(1006);
    }
    listenerCount(): number {
      return [this.onopen, this.onmessage, this.onclose, this.onerror].filter(Boolean).length + Object.values(this.listeners).reduce((n, list) => n + list.length, 0);
    }
  }

  return {
    WebSocket: Socket,
    sockets,
    get autoPong() {
      return factory.autoPong;
    },
    set autoPong(value: boolean) {
      factory.autoPong = value;
    },
    get last() {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was created');
      return socket;
    },
  };
}
