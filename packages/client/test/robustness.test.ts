// Review findings: throwing listeners, ordering on connect, bad options and WebSocket constructors,
// wake-ups during a token refresh, close codes, refusals the runtime hides, debug output.
import { CLOSE_CODES, MAX_MESSAGE_BYTES, type PulseError } from '@openkbs-pulse/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Pulse, { isPulseError, Realtime, type StateChange } from '../src/index.js';
import type { WebSocketLikeConstructor } from '../src/transport.js';
import { flush, makeToken, setupPulse, setupRealtime } from './helpers.js';

/** What listeners threw, as the `onListenerError` option receives it. */
function captureReported(): { reported: unknown[]; onListenerError: (error: unknown) => void } {
  const reported: unknown[] = [];
  return { reported, onListenerError: (error) => reported.push(error) };
}
afterEach(() => {
  vi.restoreAllMocks();
});

const codes = (errors: unknown[]) => errors.map((e) => (isPulseError(e) ? e.code : String(e)));

describe('throwing listeners (items 1, 2)', () => {
  it('a state listener throwing on connected: subscriptions and the queue still go out, the error is reported', () => {
    const { reported, onListenerError } = captureReported();
    const { ws, pulse } = setupPulse({ onListenerError });
    ws.autoPong = true;
    pulse.channel('c').subscribe('m', () => {});
    const sent = pulse.channel('c').publish('m', { n: 1 });
    pulse.onStateChange((s) => {
      if (s === 'connected') throw new Error('app bug');
    });
    expect(() => ws.last.accept()).not.toThrow();
    expect(pulse.state).toBe('connected');
    // The ping confirms the publish (its pong resolves it).
    expect(ws.last.actions.map((a) => a.action)).toEqual(['subscribe', 'publish', 'ping']);
    expect(reported.map(String)).toEqual(['Error: app bug']);
    return expect(sent).resolves.toBeUndefined();
  });

  it('a throwing message listener does not stop the other listeners of the frame', () => {
    const { reported, onListenerError } = captureReported();
    const { ws, pulse } = setupPulse({ onListenerError });
    ws.last.accept();
    const second = vi.fn();
    const all = vi.fn();
    pulse.channel('c').subscribe('m', () => {
      throw new Error('listener bug');
    });
    pulse.channel('c').subscribe('m', second);
    pulse.channel('c').subscribe(all);
    expect(() => ws.last.receive({ type: 'message', channel: 'c', data: { type: 'm' }, timestamp: 1 })).not.toThrow();
    expect(second).toHaveBeenCalledTimes(1);
    expect(all).toHaveBeenCalledTimes(1);
    expect(reported).toHaveLength(1);
  });

  it('without onListenerError, a throwing listener is logged with console.error and nothing is thrown', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    pulse.channel('c').subscribe('m', () => {
      throw new Error('listener bug');
    });
    expect(() => ws.last.receive({ type: 'message', channel: 'c', data: { type: 'm' }, timestamp: 1 })).not.toThrow();
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0]?.[1])).toContain('listener bug');
  });

  it('keeps publish order: queued publishes go out before one made in the connected listener', () => {
    const { ws, pulse } = setupPulse();
    const ch = pulse.channel('c');
    // Never confirmed here (no pong): the disconnect after the test rejects them.
    const ignore = () => {};
    ch.publish('n', { n: 1 }).catch(ignore);
    ch.publish('n', { n: 2 }).catch(ignore);
    pulse.onStateChange((s) => {
      if (s === 'connected') ch.publish('n', { n: 3 }).catch(ignore);
    });
    ws.last.accept();
    // One confirming ping after the first publish; the pong asks for the next.
    expect(ws.last.actions.map((a) => (a.action === 'publish' ? a.data?.n : a.action))).toEqual([1, 'ping', 2, 3]);
  });

  it('Realtime: presence entered in the connected listener follows the subscription of the channel', () => {
    const { ws, realtime } = setupRealtime();
    const posts = realtime.channels.get('posts');
    posts.subscribe(() => {});
    realtime.connection.on('connected', () => void posts.presence.enter({ a: 1 }));
    ws.last.accept();
    // The ping confirms the enter (presence calls resolve when the service has them).
    expect(ws.last.actions.map((a) => a.action)).toEqual(['subscribe', 'presence_enter', 'presence', 'ping']);
  });
});

describe('options and WebSocket constructors (item 3)', () => {
  const bad: [string, object][] = [
    ['kbId', { kbId: '' }],
    ['endpoint', { endpoint: 'pulse.example.com' }],
    ['endpoint', { endpoint: 'https://pulse.example.com' }],
    ['region', { region: 'mars-1' }],
    ['maxQueueSize', { maxQueueSize: -1 }],
    ['maxQueueSize', { maxQueueSize: 0 }],
    ['maxQueueSize', { maxQueueSize: Number.NaN }],
    ['heartbeatIntervalMs', { heartbeatIntervalMs: 0 }],
    ['heartbeatTimeoutMs', { heartbeatTimeoutMs: Number.POSITIVE_INFINITY }],
  ];
  it.each(bad)('rejects a bad %s with invalid_argument', (name, override) => {
    let error: unknown;
    try {
      new Pulse({ kbId: 'kb', token: makeToken(), autoConnect: false, ...override } as never);
    } catch (e) {
      error = e;
    }
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
    expect((error as Error).message).toContain(name);
    expect(() => new Realtime({ kbId: 'kb', token: makeToken(), autoConnect: false, ...override } as never)).toThrow(name);
  });

  // A token that is not a string was in the table above (invalid_argument) until a docs review
  // found errors.md, getting-started.md and the server SDK file every token problem under invalid_token.
  it('rejects a token that is not a string with invalid_token naming the token', () => {
    for (const Client of [Pulse, Realtime]) {
      let error: unknown;
      try {
        new Client({ kbId: 'kb', token: 5 as never, autoConnect: false });
      } catch (e) {
        error = e;
      }
      expect(isPulseError(error) && error.code).toBe('invalid_token');
      expect((error as Error).message).toContain('token');
    }
  });

  it('accepts ws:// and wss:// endpoints, both regions and small numbers', () => {
    for (const endpoint of ['ws://127.0.0.1:1', 'wss://pulse.example.com/x']) {
      expect(() => new Pulse({ kbId: 'kb', token: makeToken(), endpoint, autoConnect: false })).not.toThrow();
    }
    expect(() => new Pulse({ kbId: 'kb', token: makeToken(), region: 'eu-central-1', maxQueueSize: 1, heartbeatTimeoutMs: 0.5, autoConnect: false })).not.toThrow();
  });

  it('a WebSocket constructor throwing on a retry is a failed attempt: the client keeps retrying', () => {
    const { ws, clock } = setupPulse({ autoConnect: false });
    let n = 0;
    const Base = ws.WebSocket as unknown as new (url: string) => object;
    const Flaky = class extends Base {
      constructor(url: string) {
        if (++n === 2) throw new Error('SecurityError: port blocked');
        super(url);
      }
    } as unknown as WebSocketLikeConstructor;
    const pulse = new Pulse({ kbId: 'kb', token: makeToken({ endpoint: 'wss://pulse.test' }), WebSocket: Flaky, clock, random: () => 0 });
    ws.last.accept();
    ws.last.drop(1006);
    expect(() => clock.advance(1000)).not.toThrow();
    expect(pulse.state).toBe('reconnecting');
    clock.advance(2000);
    expect(ws.sockets).toHaveLength(2);
    ws.last.accept();
    expect(pulse.state).toBe('connected');
    pulse.disconnect();
    clock.advance(1000); // the close deadline
    expect(clock.pending).toBe(0);
  });
});

describe('wake-ups during a token refresh (item 9)', () => {
  it('online during a refresh opens no socket with the old token; the refresh then connects once', async () => {
    // As the DOM takes listeners: a function, or an object with `handleEvent` (the engine is one).
    type Listener = (() => void) | { handleEvent(event: { type: string }): void };
    const listeners: Record<string, Listener[]> = {};
    vi.stubGlobal('addEventListener', (type: string, l: Listener) => (listeners[type] ??= []).push(l));
    vi.stubGlobal('removeEventListener', () => {});
    try {
      let release: (token: string) => void = () => {};
      const authCallback = vi.fn(() => new Promise<string>((r) => (release = r)));
      const { ws, clock, pulse } = setupPulse({ authCallback });
      ws.last.accept();
      ws.last.drop(CLOSE_CODES.tokenExpired);
      for (const l of listeners.online ?? []) {
        if (typeof l === 'function') l();
        else l.handleEvent({ type: 'online' });
      }
      expect(ws.sockets).toHaveLength(1);
      release(makeToken({ endpoint: 'wss://pulse.test' }));
      await flush();
      clock.advance(0);
      expect(ws.sockets).toHaveLength(2);
      ws.last.accept();
      expect(pulse.state).toBe('connected');
      expect(authCallback).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('close codes (item 14)', () => {
  it('4008 reconnects with a slow_consumer error, on the error event and as the state change reason', () => {
    const { ws, clock, realtime } = setupRealtime();
    const changes: StateChange[] = [];
    realtime.connection.on((c) => changes.push(c));
    ws.last.accept();
    ws.last.drop(CLOSE_CODES.slowConsumer);
    expect(realtime.connection.state).toBe('disconnected'); // Ably's name: lost, retrying
    expect(changes.at(-1)?.reason?.code).toBe('slow_consumer');
    clock.advance(1000);
    expect(ws.sockets).toHaveLength(2);
  });

  it('4002 (connection TTL) reconnects on the first, jittered step, reason connection_expired', () => {
    const { ws, clock, pulse, random } = setupPulse();
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.accept();
    random.value = 0.5;
    ws.last.drop(CLOSE_CODES.connectionTtl);
    expect(codes(errors)).toEqual(['connection_expired']);
    clock.advance(699);
    expect(ws.sockets).toHaveLength(1);
    clock.advance(1);
    expect(ws.sockets).toHaveLength(2);
  });
});

describe('failed attempts (items 15, 16)', () => {
  it('an error before open (undici-style, no close event) is a failed attempt at once', () => {
    const { ws, clock, pulse } = setupPulse({}, false);
    ws.last.onerror?.({});
    expect(pulse.state).toBe('reconnecting');
    clock.advance(1000);
    expect(ws.sockets).toHaveLength(2);
  });

  it('a refusal the runtime hides: one network_error per failed sequence, retries with backoff', () => {
    const { ws, clock, pulse } = setupPulse({}, false);
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.drop(1006);
    clock.advance(1000);
    ws.last.drop(1006);
    clock.advance(2000);
    ws.last.drop(1006);
    expect(pulse.state).toBe('reconnecting');
    expect(codes(errors)).toEqual(['network_error']);
    expect(errors[0]?.message).toMatch(/browser/);
    clock.advance(5000);
    ws.last.accept();
    ws.last.drop(1006);
    clock.advance(10_000);
    expect(ws.sockets).toHaveLength(5);
    ws.last.drop(1006);
    expect(codes(errors)).toEqual(['network_error', 'network_error']);
  });
});

describe('Realtime errors (item 11)', () => {
  it("connection.on('update') and the catch-all listener get errors that do not change the state", () => {
    const { ws, realtime } = setupRealtime();
    const updates: StateChange[] = [];
    const all: StateChange[] = [];
    realtime.connection.on('update', (c) => updates.push(c));
    realtime.connection.on((c) => all.push(c));
    ws.last.accept();
    ws.last.receive({ type: 'error', error: 'slow down', code: 'rate_limited' });
    expect(updates).toEqual([{ current: 'connected', previous: 'connected', reason: expect.objectContaining({ code: 'rate_limited' }) }]);
    expect(all.map((c) => c.reason?.code ?? c.current)).toEqual(['connected', 'rate_limited']);
    ws.last.drop(CLOSE_CODES.slowConsumer);
    // A reason that comes with a state change is reported once, with the change.
    expect(all.map((c) => c.reason?.code ?? c.current)).toEqual(['connected', 'rate_limited', 'slow_consumer']);
    expect(updates).toHaveLength(1);
    realtime.connection.off('update');
    ws.last.receive({ type: 'error', error: 'x', code: 'rate_limited' });
    expect(updates).toHaveLength(1);
  });
});

describe('debug output (item 17)', () => {
  it('logs pings, and no trailing empty argument on state changes', () => {
    const spy = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const { ws, clock } = setupPulse({ debug: true });
    ws.last.accept();
    clock.advance(20_000);
    const calls = spy.mock.calls;
    expect(calls.some((c) => c.includes('{"action":"ping"}'))).toBe(true);
    expect(calls.filter((c) => c.includes('state')).every((c) => c.at(-1) !== '')).toBe(true);
  });
});

describe('presence size check (item 17)', () => {
  it('update() checks the size of the presence_update frame it sends', async () => {
    const { ws, pulse } = setupPulse();
    ws.autoPong = true;
    ws.last.accept();
    const room = pulse.channel('room');
    await room.presence.enter({});
    // A payload whose presence_enter frame is exactly 32 KB: the presence_update frame is one byte more.
    const base = JSON.stringify({ action: 'presence_enter', channel: 'room', data: { t: '' } }).length;
    const data = { t: 'x'.repeat(MAX_MESSAGE_BYTES - base) };
    const error = await room.presence.update(data).catch((e: unknown) => e);
    expect(isPulseError(error) && error.code).toBe('message_too_large');
  });
});
