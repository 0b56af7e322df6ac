// Incoming frames that break the protocol: each is dropped (nothing reaches message or presence
// listeners, presence state is unchanged) and reported as exactly one `invalid_message` PulseError
// on the error event; valid frames keep flowing on the same connection.
import type { PresenceMember } from '@openkbs-pulse/protocol';
import { isPulseError, PulseError } from '../src/index.js';
import { describe, expect, it, vi } from 'vitest';
import { setupPulse, setupRealtime } from './helpers.js';

const CH = 'room';
const member = (n: number, extra: object = {}): PresenceMember => ({ userId: `u${n}`, connectionId: `c${n}`, connectedAt: n, ...extra });
const message = (extra: object = {}) => ({ type: 'message', channel: CH, data: { type: 'chat', n: 1 }, timestamp: 1, ...extra });
const sync = (extra: object = {}) => ({ type: 'presence', action: 'sync', channel: CH, count: 1, members: [member(1)], ...extra });
const change = (action: string, extra: object = {}) => ({ type: 'presence', action, channel: CH, member: member(2), ...extra });
const json = (value: unknown) => JSON.stringify(value);

/** A connected Pulse listening to every message and presence event of `room`, counting what it sees. */
function listening(nodeStyle = true) {
  const setup = setupPulse({}, nodeStyle);
  setup.ws.last.accept();
  const errors: PulseError[] = [];
  setup.pulse.on('error', (error) => errors.push(error));
  const channel = setup.pulse.channel(CH);
  const messages = vi.fn();
  const presence = vi.fn();
  channel.subscribe(messages);
  channel.presence.subscribe(presence);
  channel.presence.onEnter(presence);
  channel.presence.onLeave(presence);
  channel.presence.onUpdate(presence);
  return { ...setup, errors, channel, messages, presence };
}

/** Malformed frames by class; every one must be rejected. */
const MALFORMED: Record<string, string[]> = {
  'not JSON': ['not json', '', '{"type":"message","channel":"room"', '{type:"pong"}'],
  'JSON but not an object': ['null', '5', 'true', '"message"', '[]', json([message()])],
  'unknown or missing type': [json({ type: 'nope', channel: CH }), json({ type: 5 }), json({ type: null }), json({ channel: CH, data: { type: 'chat' } }), json({ type: 'MESSAGE', channel: CH, data: { type: 'chat' }, timestamp: 1 })],
  'message with a bad channel': [json(message({ channel: '' })), json(message({ channel: 5 })), json(message({ channel: null })), json(message({ channel: undefined }))],
  'message with bad data': [
    json(message({ data: undefined })),
    json(message({ data: null })),
    json(message({ data: 'chat' })),
    json(message({ data: ['chat'] })),
    json(message({ data: { type: 5 } })),
    json(message({ data: { other: 'chat' } })),
  ],
  'message with a bad timestamp': [
    json(message({ timestamp: undefined })),
    json(message({ timestamp: '1' })),
    json(message({ timestamp: null })),
    json(message({ timestamp: [1] })),
    '{"type":"message","channel":"room","data":{"type":"chat"},"timestamp":1e999}', // Infinity
  ],
  'presence with a bad channel': [json(sync({ channel: '' })), json(change('enter', { channel: 7 }))],
  'presence with a bad action': [json(change('join')), json(change('')), json(change('sync', { action: undefined })), json(sync({ action: ['sync'] }))],
  'presence sync with a bad count': [json(sync({ count: -1 })), json(sync({ count: '1' })), json(sync({ count: null })), json(sync({ count: undefined })), '{"type":"presence","action":"sync","channel":"room","count":1e999,"members":[]}'],
  'presence sync with bad members': [json(sync({ members: null })), json(sync({ members: {} })), json(sync({ members: 5 })), json(sync({ members: 'u1' })), json(sync({ members: { every: 1 } })), json(sync({ members: undefined }))],
  'presence sync with a bad member': [
    json(sync({ members: [null] })),
    json(sync({ members: [member(1), null] })),
    json(sync({ members: [5] })),
    json(sync({ members: ['member'] })),
    json(sync({ members: [[member(1)]] })),
    json(sync({ members: [{ connectionId: 'c1' }] })),
    json(sync({ members: [{ userId: 'u1' }] })),
    json(sync({ members: [{ userId: '', connectionId: 'c1' }] })),
    json(sync({ members: [{ userId: 'u1', connectionId: '' }] })),
    json(sync({ members: [{ userId: 'u1', connectionId: 5 }] })),
    json(sync({ members: [member(1, { connectedAt: 'x' })] })),
    json(sync({ members: [member(1, { connectedAt: null })] })),
    json(sync({ members: [member(1, { connectedAt: false })] })),
  ],
  'presence change with a bad member': ['enter', 'leave', 'update'].flatMap((action) => [
    json(change(action, { member: undefined })),
    json(change(action, { member: null })),
    json(change(action, { member: 'u2' })),
    json(change(action, { member: { userId: 'u2' } })),
    json(change(action, { member: { userId: 'u2', connectionId: 2 } })),
    json(change(action, { member: member(2, { connectedAt: '2' }) })),
  ]),
  'pong with a bad timestamp': [json({ type: 'pong' }), json({ type: 'pong', timestamp: 'now' }), json({ type: 'pong', timestamp: null })],
  'error with a non-string error': [json({ type: 'error', code: 'forbidden' }), json({ type: 'error', error: 5, code: 'forbidden' }), json({ type: 'error', error: null }), json({ type: 'error', error: { m: 'x' } })],
  '__proto__ key': [
    '{"type":"message","channel":"room","data":{"type":"chat","__proto__":{"polluted":true}},"timestamp":1}',
    '{"__proto__":{"x":1},"type":"message","channel":"room","data":{"type":"chat"},"timestamp":1}',
    '{"type":"presence","action":"sync","channel":"room","count":1,"members":[{"userId":"u","connectionId":"c","data":{"a":[{"__proto__":1}]}}]}',
    // The key spelled with \u escapes: JSON.parse decodes it to "__proto__".
    '{"type":"message","channel":"room","data":{"type":"chat","\\u005f_proto__":{"polluted":true}},"timestamp":1}',
  ],
};

describe('malformed frames from the service', () => {
  for (const [kind, frames] of Object.entries(MALFORMED)) {
    it(`rejects: ${kind}`, () => {
      const { ws, pulse, errors, messages, presence } = listening();
      for (const [i, frame] of frames.entries()) {
        ws.last.receive(frame);
        expect(errors, `frame ${i}: ${frame}`).toHaveLength(i + 1);
      }
      expect(messages).not.toHaveBeenCalled();
      expect(presence).not.toHaveBeenCalled();
      for (const error of errors) {
        expect(error).toBeInstanceOf(PulseError);
        expect(error.code).toBe('invalid_message');
      }
      expect(pulse.state).toBe('connected');
      expect(ws.sockets).toHaveLength(1);
    });
  }

  it('rejects binary frames, even ones holding valid JSON (a browser-style socket: onmessage)', () => {
    const { ws, errors, messages } = listening(false);
    const bytes = new TextEncoder().encode(json(message()));
    for (const data of [bytes, Buffer.from(bytes), bytes.buffer, undefined, 5]) ws.last.onmessage!({ data });
    expect(errors.map((e) => e.code)).toEqual(Array(5).fill('invalid_message'));
    expect(messages).not.toHaveBeenCalled();
  });

  it('rejects binary frames from ws too, which hands its message listeners bytes and whether they are binary', () => {
    const { ws, errors, messages } = listening();
    // ws's own `message` event is listened to (no MessageEvent per message), not onmessage.
    expect(ws.last.onmessage).toBeNull();
    const bytes = new TextEncoder().encode(json(message()));
    for (const data of [bytes, Buffer.from(bytes), bytes.buffer, [Buffer.from(bytes)]]) ws.last.receiveRaw(data, true);
    expect(errors.map((e) => e.code)).toEqual(Array(4).fill('invalid_message'));
    expect(messages).not.toHaveBeenCalled();
    // The same bytes as a text frame are the message.
    ws.last.receiveRaw(Buffer.from(bytes), false);
    expect(messages).toHaveBeenCalledTimes(1);
  });

  it('the error event carries one typed PulseError with code invalid_message per frame', () => {
    const { ws, errors } = listening();
    ws.last.receive(json(message({ timestamp: 'soon' })));
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(isPulseError(error)).toBe(true);
    expect(error).toBeInstanceOf(Error);
    expect(error!.name).toBe('PulseError');
    expect(error!.code).toBe('invalid_message');
    // The protocol's parser says what was wrong with it.
    expect(error!.message).toMatch(/^ignored a malformed frame from the service/);
  });

  it('a frame that fails is not partly applied: presence state is unchanged after a bad sync or change', () => {
    const { ws, channel, presence } = listening();
    ws.last.receive(sync({ count: 3, members: [member(1), member(2)] }));
    expect(presence).toHaveBeenCalledTimes(1);
    const before = { members: channel.presence.members, count: channel.presence.count };
    expect(before.count).toBe(3);

    ws.last.receive(sync({ count: 1, members: [member(3), null] })); // the valid first member must not replace the set
    ws.last.receive(sync({ count: 0, members: [member(3), { userId: 'u4' }] }));
    ws.last.receive(sync({ count: -5, members: [] }));
    ws.last.receive(change('leave', { member: { connectionId: 'c1' } }));
    ws.last.receive(change('enter', { member: null }));
    ws.last.receive(change('update', { member: member(1, { connectedAt: 'later' }) }));

    expect(channel.presence.members).toEqual(before.members);
    expect(channel.presence.count).toBe(3);
    expect(presence).toHaveBeenCalledTimes(1);
  });

  it('valid frames are still delivered, before and after malformed ones', () => {
    const { ws, errors, channel, messages, presence } = listening();
    const chat = vi.fn();
    channel.subscribe('chat', chat);

    ws.last.receive(message());
    ws.last.receive('{"type":"message"');
    ws.last.receive(message({ data: { type: 'chat', text: '"__proto__" is only text here', nested: { list: [1] } }, extra: 'ignored' }));
    ws.last.receive(json(message({ data: { type: '' } }))); // an empty event name is a string: valid
    ws.last.receive(message({ channel: 'elsewhere' })); // valid, for a channel nobody listens to: ignored quietly
    ws.last.receive(sync({ count: 2, members: [member(1), { userId: 'u2', connectionId: 'c2' }] })); // connectedAt is optional
    ws.last.receive(change('enter', { member: { userId: 'u3', connectionId: 'c3', data: null } }));
    ws.last.receive(change('update', { member: member(3, { data: { away: true } }) }));
    ws.last.receive(change('leave', { member: { userId: 'u1', connectionId: 'c1' } }));
    ws.last.receive(sync({ count: 0, members: [] }));
    ws.last.receive({ type: 'pong', timestamp: 1 });
    ws.last.receive({ type: 'error', error: 'slow down', code: 'rate_limited', channel: CH });
    ws.last.receive({ type: 'error', error: 'no code' });
    ws.last.receive({ type: 'error', error: 'future code', code: 'brand_new_code' });

    expect(messages).toHaveBeenCalledTimes(3);
    expect(chat).toHaveBeenCalledTimes(2);
    expect(messages.mock.calls[1]![0]).toEqual({ type: 'chat', text: '"__proto__" is only text here', nested: { list: [1] } });
    expect(messages.mock.calls[2]![0]).toEqual({ type: '' });
    // sync, enter + members, update + members, leave + members, then the empty sync: the leave of
    // c2 and c3, still listed before it, + members
    expect(presence).toHaveBeenCalledTimes(10);
    expect(channel.presence.count).toBe(0);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['invalid_message', 'ignored a malformed frame from the service (debug: true logs it)'],
      ['rate_limited', 'the service refused an action on "room": slow down'],
      ['server_error', 'the service refused an action: no code'],
      ['server_error', 'the service refused an action: future code'],
    ]);
  });

  it('debug logging shows the raw rejected frame', () => {
    const spy = vi.spyOn(console, 'debug').mockImplementation(() => {});
    try {
      const { ws } = setupPulse({ debug: true });
      ws.last.accept();
      const raw = '{"type":"presence","action":"sync","channel":"room","count":1,"members":[null]}';
      ws.last.receive(raw);
      expect(spy.mock.calls.some((call) => call.includes(raw))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('works without an error listener (no throw) and for Pulse.Realtime subscribers', () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    const channel = realtime.channels.get(CH);
    const messages = vi.fn();
    const members = vi.fn();
    channel.subscribe(messages);
    channel.presence.subscribe(members);
    expect(() => {
      ws.last.receive(json(message({ timestamp: null })));
      ws.last.receive(json(sync({ members: [null] })));
    }).not.toThrow();
    expect(messages).not.toHaveBeenCalled();
    expect(members).not.toHaveBeenCalled();
    ws.last.receive(message());
    expect(messages).toHaveBeenCalledTimes(1);
    expect(realtime.connection.state).toBe('connected');
  });
});
