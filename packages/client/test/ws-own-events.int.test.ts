// On Node's `ws`, the client listens with ws's own events (`message`, `close`, `error`), not
// `onclose`/`onerror`: each of those keeps a wrapper function of ws's, with two properties of its
// own, for the life of the connection: about 330 B a client in the bench's heap measure
// (bench/suites/client-memory.mjs), where the target is twice a bare ws client. And once done
// with a socket, the client leaves no listener on it.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import Pulse from '../src/index.js';
import { reachState, serviceForEachTest, tokenFor } from './int-helpers.js';

const local = serviceForEachTest();

describe('a client on ws', () => {
  it('listens with ws events while connected, and leaves no listener after disconnect()', async () => {
    const sockets: WebSocket[] = [];
    class Recorded extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    const pulse = new Pulse({ kbId: local.service.kbId, token: await tokenFor(local.service, 'alice'), endpoint: local.service.wsUrl, WebSocket: Recorded as never });
    local.track(pulse);
    pulse.channel('room').subscribe('e', () => undefined);
    await reachState(pulse, 'connected');
    const [socket] = sockets;
    expect({ onclose: socket!.onclose, onerror: socket!.onerror, onmessage: socket!.onmessage }).toEqual({ onclose: null, onerror: null, onmessage: null });
    expect(['message', 'close', 'error'].map((event) => socket!.listenerCount(event))).toEqual([1, 1, 1]);
    // A close from the service still reaches the client, with its code.
    const states: string[] = [];
    pulse.onStateChange((state) => states.push(state));
    local.service.dropAll();
    await reachState(pulse, 'reconnecting');
    await reachState(pulse, 'connected');
    expect(states).toEqual(['reconnecting', 'connected']);
    pulse.disconnect();
    // The closing handshake keeps its own two handlers until the socket closes (at most 1 s).
    const deadline = Date.now() + 3000;
    while (sockets.some((s) => s.eventNames().length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sockets.map((s) => s.eventNames())).toEqual(sockets.map(() => []));
  });

  it("leaves the app's own listeners on the socket (a subclass of ws that logs closes)", async () => {
    const closes: number[] = [];
    const sockets: WebSocket[] = [];
    class Logged extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
        this.on('close', (code: number) => closes.push(code));
        this.on('error', () => undefined);
      }
    }
    const pulse = new Pulse({ kbId: local.service.kbId, token: await tokenFor(local.service, 'alice'), endpoint: local.service.wsUrl, WebSocket: Logged as never });
    local.track(pulse);
    await reachState(pulse, 'connected');
    local.service.dropAll();
    await reachState(pulse, 'reconnecting');
    await reachState(pulse, 'connected');
    // The client is done with the first socket: its own listeners are gone, the app's stay.
    expect(sockets[0]!.listenerCount('close')).toBe(1);
    expect(sockets[0]!.listenerCount('error')).toBe(1);
    expect(sockets[0]!.listenerCount('message')).toBe(0);
    expect(closes).toEqual([1006]);
  });
});
