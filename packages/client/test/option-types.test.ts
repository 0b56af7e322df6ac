// Options of the wrong type were taken by the constructor and failed far from the mistake:
// `random: 'x'` threw a TypeError from a reconnect timer (an uncaught exception: a Node process
// ends); `onListenerError: 5` dropped every error a listener threw, silently; `authCallback: 'x'`,
// `authUrl: 123` and `fetch: 'x'` failed each token refresh as invalid_response ("token refresh
// failed: ... is not a function") and retried for ever; `WebSocket: 'x'` reported network_error
// "cannot connect" with the browser hint; `clock: {}` threw a bare TypeError; `maxQueueSize: 1.5`
// was taken. Each is now invalid_argument from the constructor, naming the option.
import { describe, expect, it } from 'vitest';
import Pulse, { isPulseError, Realtime } from '../src/index.js';
import { makeToken } from './helpers.js';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { createFakeWebSocket } from './fake-websocket.js';

const clock = createFakeClock();
const base = () => ({
  kbId: 'kb',
  token: makeToken({ endpoint: 'wss://pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 }),
  WebSocket: createFakeWebSocket().WebSocket,
  clock,
  autoConnect: false,
});

const refusal = (make: () => { disconnect?: () => void; close?: () => void }): unknown => {
  try {
    const client = make();
    client.disconnect?.();
    client.close?.();
    return 'taken';
  } catch (e) {
    return isPulseError(e) ? { code: e.code, message: e.message } : `not a PulseError: ${String(e)}`;
  }
};

const bad: [string, unknown, RegExp][] = [
  ['authCallback', 'x', /^authCallback must be a function \(got "x"\)/],
  ['fetch', 'x', /^fetch must be a function \(got "x"\)/],
  ['WebSocket', 'x', /^WebSocket must be a function \(got "x"\)/],
  ['random', 'x', /^random must be a function \(got "x"\)/],
  ['onListenerError', 5, /^onListenerError must be a function \(got 5\)/],
  ['authUrl', 123, /^authUrl must be a URL or a non-empty string \(got 123\)/],
  ['authUrl', '', /^authUrl must be a URL or a non-empty string \(got ""\)/],
  ['clock', {}, /^clock must be an object with now\(\), setTimeout\(\) and clearTimeout\(\) \(got \[object Object\]\)/],
  ['maxQueueSize', 1.5, /^maxQueueSize must be a positive whole number \(got 1.5\)/],
];

describe.each([
  ['Pulse', (options: object) => new Pulse(options as never)],
  ['Realtime', (options: object) => new Realtime(options as never)],
] as const)('%s constructor', (_face, construct) => {
  it.each(bad)('refuses %s: %j as invalid_argument naming it', (key, value, message) => {
    expect(refusal(() => construct({ ...base(), [key]: value }))).toEqual({ code: 'invalid_argument', message: expect.stringMatching(message) });
  });

  it('takes options of the right types, and undefined for each', () => {
    const good = { authCallback: () => 'token', fetch: globalThis.fetch, random: Math.random, onListenerError: () => {}, authUrl: '/token', maxQueueSize: 3 };
    expect(refusal(() => construct({ ...base(), ...good }))).toBe('taken');
    for (const key of [...Object.keys(good), 'clock', 'WebSocket']) expect(refusal(() => construct({ ...base(), [key]: undefined }))).toBe('taken');
  });
});
