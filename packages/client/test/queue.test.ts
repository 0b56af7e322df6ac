import { MAX_MESSAGE_BYTES, PulseError } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import type Pulse from '../src/index.js';
import { isPulseError } from '../src/index.js';
import type { FakeSocket } from './fake-websocket.js';
import { createQueue } from '../src/queue.js';
import { flush, setupPulse } from './helpers.js';

const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
  try {
    await promise;
    return undefined;
  } catch (e) {
    return isPulseError(e) ? e.code : `not a PulseError: ${String(e)}`;
  }
};

describe('outgoing publish queue', () => {
  it('sends at once when connected, with a confirming ping, and resolves on its pong', async () => {
    const { ws, pulse } = setupPulse();
    ws.autoPong = true;
    ws.last.accept();
    await pulse.channel('c').publish('msg', { text: 'hi' });
    expect(ws.last.actions).toEqual([{ action: 'publish', channel: 'c', event: 'msg', data: { text: 'hi' } }, { action: 'ping' }]);
  });

  it('queues while connecting/reconnecting and flushes in order after (re)connect, resolving on confirmation; a confirmed publish is not resent', async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.autoPong = true;
    const chat = pulse.channel('c');
    const settled: number[] = [];
    const first = chat.publish('m', { n: 1 }).then(() => settled.push(1));
    ws.last.accept();
    await first;
    ws.last.drop(1006);
    const rest = [2, 3, 4].map((n) => chat.publish('m', { n }).then(() => settled.push(n)));
    await flush();
    expect(settled).toEqual([1]);
    clock.advance(1000);
    ws.last.accept();
    await Promise.all([first, ...rest]);
    expect(settled).toEqual([1, 2, 3, 4]);
    expect(ws.last.frames.map((a) => a.action === 'publish' && a.data?.n)).toEqual([2, 3, 4]);
  });

  it('queues when the socket is already closing but the close event has not arrived', async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.autoPong = true;
    ws.last.accept();
    const old = ws.last;
    (old as { readyState: number }).readyState = 2;
    const sent = pulse.channel('c').publish('m', {});
    old.drop(1006);
    clock.advance(1000);
    ws.last.accept();
    await sent;
    expect(old.sent).toEqual([]);
    expect(ws.last.frames).toHaveLength(1);
  });

  it('rejects with queue_full beyond maxQueueSize and keeps the queued ones', async () => {
    const { ws, pulse } = setupPulse({ maxQueueSize: 2 });
    ws.autoPong = true;
    const chat = pulse.channel('c');
    const ok = [chat.publish('m', { n: 1 }), chat.publish('m', { n: 2 })];
    expect(await codeOf(chat.publish('m', { n: 3 }))).toBe('queue_full');
    ws.last.accept();
    await Promise.all(ok);
    expect(ws.last.frames).toHaveLength(2);
  });

  it('rejects queued publishes with disconnected on disconnect(), and later ones with not_connected', async () => {
    const { pulse } = setupPulse();
    const chat = pulse.channel('c');
    const queued = [chat.publish('m', {}), chat.publish('m', {})];
    pulse.disconnect();
    expect(await Promise.all(queued.map(codeOf))).toEqual(['disconnected', 'disconnected']);
    expect(await codeOf(chat.publish('m', {}))).toBe('not_connected');
  });

  it('rejects payloads over 32 KB with message_too_large before sending', async () => {
    const { ws, pulse } = setupPulse();
    ws.autoPong = true;
    ws.last.accept();
    const big = { text: 'x'.repeat(MAX_MESSAGE_BYTES) };
    expect(await codeOf(pulse.channel('c').publish('m', big))).toBe('message_too_large');
    const multiByte = { text: 'é'.repeat(MAX_MESSAGE_BYTES / 2) }; // 2 bytes each in UTF-8
    expect(await codeOf(pulse.channel('c').publish('m', multiByte))).toBe('message_too_large');
    expect(await codeOf(pulse.channel('c').presence.enter(big))).toBe('message_too_large');
    expect(ws.last.sent).toEqual([]);
    await pulse.channel('c').publish('m', { text: 'x'.repeat(MAX_MESSAGE_BYTES - 100) });
    expect(ws.last.frames).toHaveLength(1);
  });

  it('rejects invalid arguments (non-object data, empty event, mismatching data.type)', async () => {
    const { ws, pulse } = setupPulse();
    ws.autoPong = true;
    ws.last.accept();
    const chat = pulse.channel('c');
    expect(await codeOf(chat.publish('m', [1, 2] as never))).toBe('invalid_argument');
    expect(await codeOf(chat.publish('', {}))).toBe('invalid_argument');
    expect(await codeOf(chat.publish('m', { type: 'other' }))).toBe('invalid_argument');
    expect(ws.last.sent).toEqual([]);
    await chat.publish('m', null);
    expect(ws.last.frames).toHaveLength(1);
  });

  it('rejects queued publishes with the failure when the connection is refused', async () => {
    const { ws, pulse } = setupPulse();
    const queued = pulse.channel('c').publish('m', {});
    ws.last.refuse(403, { error: 'off', code: 'pulse_not_enabled' });
    expect(await codeOf(queued)).toBe('pulse_not_enabled');
  });
});

/** The `n` of each publish and the pings, in the order `socket` got them. */
const order = (socket: FakeSocket): (number | string)[] =>
  socket.actions.map((a) => (a.action === 'publish' ? (a.data?.n as number) : a.action));

describe('publish confirmation (ping barrier)', () => {
  /** Publishes `ns` on channel c, recording the settled ones. */
  const publisher = (pulse: Pulse) => {
    const settled: (number | string)[] = [];
    const publish = (n: number) =>
      pulse
        .channel('c')
        .publish('m', { n })
        .then(
          () => void settled.push(n),
          (e: unknown) => void settled.push(`${n}:${isPulseError(e) ? e.code : String(e)}`),
        );
    return { settled, publish };
  };

  it('resolves only after the pong to a ping sent after it', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const { settled, publish } = publisher(pulse);
    const done = publish(1);
    await flush();
    expect(settled).toEqual([]);
    expect(order(ws.last)).toEqual([1, 'ping']);
    ws.last.pong();
    await done;
    expect(settled).toEqual([1]);
  });

  it('coalesces confirming pings: at most one in flight, its pong asks for the next', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const { settled, publish } = publisher(pulse);
    const all = [1, 2, 3].map(publish);
    expect(order(ws.last)).toEqual([1, 'ping', 2, 3]);
    ws.last.pong(); // confirms 1 (sent before the ping); 2 and 3 need another ping
    await flush();
    expect(settled).toEqual([1]);
    expect(order(ws.last)).toEqual([1, 'ping', 2, 3, 'ping']);
    ws.last.pong();
    await Promise.all(all);
    expect(settled).toEqual([1, 2, 3]);
    expect(order(ws.last)).toEqual([1, 'ping', 2, 3, 'ping']); // nothing left to confirm: no more pings
  });

  it("the heartbeat's ping is a barrier too: its pong confirms what was sent before it", async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    const { settled, publish } = publisher(pulse);
    clock.advance(20_000); // silence: the heartbeat pings
    expect(order(ws.last)).toEqual(['ping']);
    const a = publish(1); // the heartbeat's ping is in flight: no confirming ping yet
    expect(order(ws.last)).toEqual(['ping', 1]);
    ws.last.pong(); // the heartbeat's pong: sent before 1, it confirms nothing, and asks for the next ping
    await flush();
    expect(settled).toEqual([]);
    expect(order(ws.last)).toEqual(['ping', 1, 'ping']);
    ws.last.pong();
    await a;
    expect(settled).toEqual([1]);
    expect(pulse.state).toBe('connected');
  });

  it('a service that keeps sending but never answers ping: the connection is replaced and the publish resent (issue 11)', async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    pulse.channel('c').subscribe('m', () => {});
    const sent = pulse.channel('c').publish('m', { n: 1 });
    for (let t = 0; t < 10; t++) {
      clock.advance(1000); // messages keep coming, pongs never do
      ws.last.receive({ type: 'message', channel: 'c', data: { type: 'm' }, timestamp: 1 });
    }
    expect(ws.sockets).toHaveLength(1);
    expect(ws.sockets[0]!.closedByClient).toBe(true); // no pong within heartbeatTimeoutMs
    clock.advance(1000);
    expect(ws.sockets).toHaveLength(2);
    ws.autoPong = true;
    ws.last.accept();
    expect(ws.last.frames.filter((a) => a.action === 'publish')).toHaveLength(1);
    await expect(sent).resolves.toBeUndefined();
  });

  it('resends unconfirmed publishes first after a reconnection, in order, ahead of later ones, each once', async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    const old = ws.last;
    const { settled, publish } = publisher(pulse);
    const confirmed = publish(0);
    old.pong();
    await confirmed;
    const lost = [1, 2, 3].map(publish); // written into a connection that turns out dead
    old.drop(1006);
    const later = publish(4); // queued while reconnecting
    await flush();
    expect(settled).toEqual([0]);
    clock.advance(1000);
    ws.autoPong = true;
    ws.last.accept();
    await Promise.all([...lost, later]);
    expect(settled).toEqual([0, 1, 2, 3, 4]);
    expect(ws.last.frames.map((a) => a.action === 'publish' && a.data?.n)).toEqual([1, 2, 3, 4]); // 0 was confirmed: not resent
  });

  it('a heartbeat timeout (half-open connection) resends the publishes made before it was noticed', async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    const old = ws.last;
    const { settled, publish } = publisher(pulse);
    const lost = [1, 2].map(publish);
    clock.advance(30_000); // nothing comes back: ping at 20 s, declared dead 10 s later
    expect(pulse.state).toBe('reconnecting');
    expect(old.closedByClient).toBe(true);
    await flush();
    expect(settled).toEqual([]);
    ws.autoPong = true;
    clock.advance(1000);
    ws.last.accept();
    await Promise.all(lost);
    expect(settled).toEqual([1, 2]);
    expect(ws.last.frames.map((a) => a.action === 'publish' && a.data?.n)).toEqual([1, 2]);
  });

  it('disconnect() rejects unconfirmed publishes with disconnected', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const { settled, publish } = publisher(pulse);
    const sent = [1, 2].map(publish);
    pulse.disconnect();
    await Promise.all(sent);
    expect(settled).toEqual(['1:disconnected', '2:disconnected']);
    ws.last.pong(); // a late pong (the socket is detached) changes nothing
    await flush();
    expect(settled).toEqual(['1:disconnected', '2:disconnected']);
  });

  it('disconnect() rejects with disconnected even beyond maxQueueSize (not queue_full)', async () => {
    const { ws, pulse } = setupPulse({ maxQueueSize: 1 });
    ws.last.accept();
    const { settled, publish } = publisher(pulse);
    const sent = [1, 2, 3].map(publish);
    pulse.disconnect();
    await Promise.all(sent);
    expect(settled).toEqual(['1:disconnected', '2:disconnected', '3:disconnected']);
  });

  it('requeueing respects maxQueueSize: the overflow rejects with queue_full, the rest is resent', async () => {
    const { ws, pulse, clock } = setupPulse({ maxQueueSize: 2 });
    ws.last.accept();
    const { settled, publish } = publisher(pulse);
    const sent = [1, 2, 3].map(publish); // unconfirmed are not bounded while connected
    ws.last.drop(1006);
    await flush();
    expect(settled).toEqual(['3:queue_full']);
    const full = publish(4); // the queue holds 1 and 2
    await full;
    expect(settled).toEqual(['3:queue_full', '4:queue_full']);
    ws.autoPong = true;
    clock.advance(1000);
    ws.last.accept();
    await Promise.all(sent);
    expect(settled).toEqual(['3:queue_full', '4:queue_full', 1, 2]);
    expect(ws.last.frames.map((a) => a.action === 'publish' && a.data?.n)).toEqual([1, 2]);
  });

  it('a pong with no ping in flight confirms nothing', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    ws.last.pong();
    const { settled, publish } = publisher(pulse);
    const sent = publish(1);
    await flush();
    expect(settled).toEqual([]);
    ws.last.pong();
    await sent;
    expect(settled).toEqual([1]);
  });
});

describe('requests answered by frames (createQueue()._ask)', () => {
  const queueOf = () => {
    const sent: string[] = [];
    const queue = createQueue(1, (text) => sent.push(text), () => sent.length);
    return { sent, queue };
  };

  it('answered at the pong of a ping after it (one ping a microtask later for requests made together), with the last refusal of its channel meanwhile; not bounded', async () => {
    const { sent, queue } = queueOf();
    const answers: unknown[] = [];
    queue._ask('{"ask":1}', 'a', (refusal) => answers.push(refusal?.code ?? 'answered'));
    queue._ask('{"ask":2}', 'b', (refusal) => answers.push(refusal?.code ?? 'answered'));
    expect(sent).toEqual(['{"ask":1}', '{"ask":2}']);
    await flush();
    expect(sent).toEqual(['{"ask":1}', '{"ask":2}', '{"action":"ping"}']);
    expect(queue._holds()).toBe(false);
    queue._refuse(new PulseError('limit_exceeded', 'x'), 'b');
    queue._pong();
    expect(answers).toEqual(['answered', 'limit_exceeded']);
  });

  it('a ping already sent after it serves it (a presence change sent with the request)', async () => {
    const { sent, queue } = queueOf();
    queue._ask('{"ask":1}', 'a', () => {});
    void queue._add('', 'a', true);
    await flush();
    expect(sent).toEqual(['{"ask":1}', '{"action":"ping"}']);
  });

  it('dropped with the connection, and when cancelled (the engine asks again when it needs to)', async () => {
    const { sent, queue } = queueOf();
    const answers: unknown[] = [];
    queue._ask('{"ask":1}', 'a', () => answers.push(1));
    expect(queue._down()).toBe(0);
    await flush();
    queue._pong();
    const second = queue._ask('{"ask":2}', 'a', () => answers.push(2));
    queue._cancel(second);
    await flush();
    queue._pong();
    expect(answers).toEqual([]);
    expect(sent).toEqual(['{"ask":1}', '{"ask":2}']);
  });
});
