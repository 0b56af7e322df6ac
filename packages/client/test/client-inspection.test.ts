// What logging or serialising a client shows: its state, never the token (the engine's fields,
// its options and its socket's URL hold it). Found by review when the engine became a class:
// `console.log(pulse)` in a Node bot wrote the JWT to the log, and `JSON.stringify(pulse)`
// threw on a circular structure.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { setupPulse, setupRealtime } from './helpers.js';

describe('logging and serialising a client', () => {
  it('util.inspect and JSON.stringify of Pulse, its channels and Pulse.Realtime never show the token', () => {
    const { ws, pulse, options } = setupPulse();
    const { ws: ws2, realtime } = setupRealtime();
    const chat = pulse.channel('chat');
    chat.subscribe('message', () => {});
    ws.last.accept();
    ws2.last.accept();
    realtime.channels.get('chat').subscribe(() => {});
    const token = options.token;
    for (const value of [pulse, chat, chat.presence, realtime, realtime.channels.get('chat')]) {
      expect(inspect(value, { depth: 10, showHidden: true })).not.toContain(token);
      expect(JSON.stringify(value)).not.toContain(token);
    }
    // The engine's field has another name in pulse.js (terser renames `_` properties): look at values.
    expect(Object.values(JSON.parse(JSON.stringify(pulse)) as object)).toContainEqual({ state: 'connected' });
    expect(JSON.parse(JSON.stringify(chat))).toEqual({ name: 'chat', presence: { members: [], count: 0 } });
  });

  it('after disconnect() too', () => {
    const { ws, pulse, options } = setupPulse();
    ws.last.accept();
    pulse.disconnect();
    expect(inspect(pulse, { depth: 10 })).not.toContain(options.token);
    expect(JSON.stringify(pulse)).not.toContain(options.token);
  });

  it('a connection error in a browser keeps no cause that reaches the socket (its url holds the token)', () => {
    const { ws, pulse, options } = setupPulse({}, false);
    const errors: Error[] = [];
    pulse.on('error', (error) => errors.push(error));
    // A browser's error event: no `error` inside, the socket as its target (found by review).
    const socket = ws.last;
    socket.onerror?.({ type: 'error', target: socket });
    socket.onclose?.({ code: 1006, reason: '' });
    expect(errors[0]).toMatchObject({ code: 'network_error' });
    for (const error of errors) expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(options.token);
  });
});
