// With realtime-release-while-leaving.test.ts: after a release, while its leave is unanswered,
// the object a get hands out is a new one, on both faces and in a shared tab, and it works: its
// listeners hear the channel and its enter is sent after the leave (docs/migrating.md: the same
// object only while the channel is in use).
import { describe, expect, it } from 'vitest';
import { flush, setupPulse, setupRealtime } from './helpers.js';
import { setup } from './share-tabs.js';

type Socket = { sent: string[]; pong(): void };
const answered = new WeakMap<Socket, number>();
/** Answers every ping the socket sent and has no pong for yet. */
const pongAll = async (socket: Socket, settle: () => Promise<void>) => {
  for (;;) {
    const pings = socket.sent.filter((t) => t === '{"action":"ping"}').length;
    const done = answered.get(socket) ?? 0;
    if (done >= pings) return;
    answered.set(socket, done + 1);
    socket.pong();
    await settle();
  }
};

const message = { type: 'message', channel: 'room', data: { type: 'm', n: 1 }, timestamp: 1 } as const;

describe('a get after a release, while the leave is unanswered', () => {
  it('Pulse.Realtime: the new object listens and enters', async () => {
    const { ws, realtime } = setupRealtime({ clientId: 'u1' } as never);
    ws.last.accept();
    await flush();
    const room = realtime.channels.get('room');
    const entered = room.presence.enter({ n: 1 });
    await flush();
    await pongAll(ws.last, flush);
    await entered;
    realtime.channels.release('room');
    await flush();
    const again = realtime.channels.get('room');
    expect(again).not.toBe(room);
    const heard: unknown[] = [];
    again.subscribe('m', (m) => heard.push(m.data));
    const enteredAgain = again.presence.enter({ n: 2 });
    await flush();
    // In use now: the same object.
    expect(realtime.channels.get('room')).toBe(again);
    const sent = ws.last.frames.map((f) => f.action);
    expect(sent.lastIndexOf('presence_enter')).toBeGreaterThan(sent.lastIndexOf('presence_leave'));
    await pongAll(ws.last, flush);
    await enteredAgain;
    ws.last.receive(message);
    expect(heard).toEqual([{ type: 'm', n: 1 }]);
    expect(realtime.channels.get('room')).toBe(again);
  });

  it('Pulse: channel(name) after unsubscribe() is a new object, which listens and enters', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    await flush();
    const room = pulse.channel('room');
    const entered = room.presence.enter({ n: 1 });
    await flush();
    await pongAll(ws.last, flush);
    await entered;
    room.unsubscribe();
    await flush();
    expect(ws.last.frames.some((f) => f.action === 'presence_leave')).toBe(true);
    const again = pulse.channel('room');
    expect(again).not.toBe(room);
    const heard: unknown[] = [];
    again.subscribe('m', (data) => heard.push(data));
    const enteredAgain = again.presence.enter({ n: 2 });
    expect(pulse.channel('room')).toBe(again);
    await flush();
    await pongAll(ws.last, flush);
    await enteredAgain;
    ws.last.receive(message);
    expect(heard).toEqual([{ type: 'm', n: 1 }]);
  });

  it('a shared tab: channel(name) after unsubscribe() is a new object', async () => {
    const { ws, tab, settle } = setup();
    tab();
    const b = tab();
    await settle();
    ws.last.accept();
    await settle();
    const room = b.pulse.channel('room');
    await room.presence.enter({ n: 1 });
    await settle();
    ws.autoPong = false;
    answered.set(ws.last, ws.last.sent.filter((t) => t === '{"action":"ping"}').length);
    room.unsubscribe();
    await settle();
    const again = b.pulse.channel('room');
    expect(again).not.toBe(room);
    const heard: unknown[] = [];
    again.subscribe('m', (data) => heard.push(data));
    const enteredAgain = again.presence.enter({ n: 2 });
    expect(b.pulse.channel('room')).toBe(again);
    await settle();
    await pongAll(ws.last, settle);
    await enteredAgain;
    ws.last.receive(message);
    await settle();
    expect(heard).toEqual([{ type: 'm', n: 1 }]);
  });
});
