// An outside review found: a `channel` option the service would refuse (over 256 characters,
// control characters, empty) was taken by the constructor, and the client retried for ever; and
// `subscribe` took a callback that is not a function (every message then threw a TypeError) and
// event names `publish` refuses (a listener that can never fire). Each is now invalid_argument at
// the call.
import { describe, expect, it } from 'vitest';
import Pulse, { isPulseError, Realtime } from '../src/index.js';
import { makeToken, setupPulse, setupRealtime } from './helpers.js';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { createFakeWebSocket } from './fake-websocket.js';

const code = (fn: () => unknown): unknown => {
  try {
    fn();
    return 'no throw';
  } catch (e) {
    return isPulseError(e) ? e.code : `non-PulseError: ${String(e)}`;
  }
};

describe('constructor channel option', () => {
  const opts = (channel: string) => {
    const clock = createFakeClock();
    return {
      kbId: 'kb',
      token: makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 }),
      WebSocket: createFakeWebSocket().WebSocket,
      clock,
      channel,
    };
  };
  it('Pulse: an invalid `channel` option (too long / control chars / empty) throws invalid_argument like other bad options', () => {
    expect(code(() => new Pulse(opts('x'.repeat(300))).disconnect())).toBe('invalid_argument');
    expect(code(() => new Pulse(opts('bad\nname')).disconnect())).toBe('invalid_argument');
    expect(code(() => new Pulse(opts('')).disconnect())).toBe('invalid_argument');
  });
  it('Realtime: an invalid `channel` option throws invalid_argument', () => {
    expect(code(() => new Realtime(opts('x'.repeat(300))).close())).toBe('invalid_argument');
  });
});

describe('subscribe argument checks', () => {
  it('Pulse: subscribe(event) with a non-function callback throws invalid_argument at once', () => {
    const { pulse } = setupPulse();
    const ch = pulse.channel('chat');
    expect(code(() => ch.subscribe('message', undefined as never))).toBe('invalid_argument');
    expect(code(() => ch.subscribe('message', 'nope' as never))).toBe('invalid_argument');
  });
  it('Pulse: subscribe with an invalid event name (empty, too long, not a string) throws invalid_argument', () => {
    const { pulse } = setupPulse();
    const ch = pulse.channel('chat');
    expect(code(() => ch.subscribe('', () => {}))).toBe('invalid_argument');
    expect(code(() => ch.subscribe('e'.repeat(200), () => {}))).toBe('invalid_argument');
    expect(code(() => ch.subscribe(42 as never, () => {}))).toBe('invalid_argument');
  });
  it('Realtime: subscribe(name) with a non-function callback throws invalid_argument at once', () => {
    const { realtime } = setupRealtime();
    const ch = realtime.channels.get('chat');
    expect(code(() => ch.subscribe('message', undefined as never))).toBe('invalid_argument');
  });
  it('Realtime: presence.subscribe(action) with a non-function callback throws invalid_argument', () => {
    const { realtime } = setupRealtime();
    const ch = realtime.channels.get('chat');
    expect(code(() => ch.presence.subscribe('enter', undefined as never))).toBe('invalid_argument');
  });
  it('Pulse: a subscribe refused for its missing callback leaves nothing that throws a TypeError at each message', () => {
    const reported: unknown[] = [];
    const { pulse, ws } = setupPulse({ onListenerError: (e) => reported.push(e) });
    const ch = pulse.channel('chat');
    try {
      ch.subscribe('message', undefined as never);
    } catch {
      /* expected path */
    }
    ws.last.accept();
    ws.last.receive({ type: 'message', channel: 'chat', data: { type: 'message' }, timestamp: 1 });
    expect(reported).toEqual([]);
  });
});
