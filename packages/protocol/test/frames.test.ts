import { describe, expect, it } from 'vitest';
import {
  MAX_MESSAGE_BYTES,
  encodeFrame,
  parseClientAction,
  parseServerFrame,
  type ClientAction,
  type ServerFrame,
} from '@openkbs-pulse/protocol';

const expectAction = (text: string) => {
  const result = parseClientAction(text);
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`);
  return result.value;
};

const expectRejected = (text: unknown, code = 'invalid_message') => {
  const result = parseClientAction(text);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.code).toBe(code);
  return result;
};

describe('parseClientAction: every action of the seed', () => {
  const valid: ClientAction[] = [
    { action: 'subscribe', channel: 'chat' },
    { action: 'unsubscribe', channel: 'chat' },
    { action: 'publish', channel: 'chat', event: 'message', data: { text: 'hi', nested: { a: [1, 2] } } },
    { action: 'publish', channel: 'chat', event: 'message', data: { type: 'message', text: 'same type is fine' } },
    { action: 'presence', channel: 'chat' },
    { action: 'presence_enter', channel: 'chat', data: { name: 'John' } },
    { action: 'presence_update', channel: 'chat', data: { status: 'away' } },
    { action: 'presence_leave', channel: 'chat' },
    { action: 'ping' },
  ];
  for (const action of valid) {
    it(`accepts ${JSON.stringify(action)}`, () => {
      expect(expectAction(encodeFrame(action))).toEqual(action);
    });
  }

  it('accepts a publish without data (data is optional)', () => {
    expect(expectAction('{"action":"publish","channel":"c","event":"e"}')).toEqual({
      action: 'publish',
      channel: 'c',
      event: 'e',
      data: undefined,
    });
  });

  it('keeps only known fields', () => {
    expect(expectAction('{"action":"subscribe","channel":"c","extra":1}')).toEqual({ action: 'subscribe', channel: 'c' });
  });

  it('accepts presence data of any JSON type', () => {
    expect(expectAction('{"action":"presence_enter","channel":"c","data":"just a string"}')).toMatchObject({ data: 'just a string' });
  });
});

describe('parseClientAction: malformed input never throws', () => {
  const cases: Array<[string, unknown]> = [
    ['non-JSON', 'hello'],
    ['truncated JSON', '{"action":"subscribe"'],
    ['empty string', ''],
    ['JSON null', 'null'],
    ['JSON array', '[]'],
    ['JSON number', '42'],
    ['JSON string', '"subscribe"'],
    ['missing action', '{"channel":"c"}'],
    ['numeric action', '{"action":1,"channel":"c"}'],
    ['unknown action', '{"action":"explode","channel":"c"}'],
    ['missing channel', '{"action":"subscribe"}'],
    ['numeric channel', '{"action":"subscribe","channel":5}'],
    ['empty channel', '{"action":"subscribe","channel":""}'],
    ['channel with control characters', '{"action":"subscribe","channel":"a\\nb"}'],
    ['channel too long', JSON.stringify({ action: 'subscribe', channel: 'x'.repeat(257) })],
    ['publish without event', '{"action":"publish","channel":"c","data":{}}'],
    ['publish with numeric event', '{"action":"publish","channel":"c","event":3}'],
    ['publish with array data', '{"action":"publish","channel":"c","event":"e","data":[1]}'],
    ['publish with string data', '{"action":"publish","channel":"c","event":"e","data":"x"}'],
    ['publish whose data.type differs from event', '{"action":"publish","channel":"c","event":"e","data":{"type":"other"}}'],
    ['__proto__ at top level', '{"action":"subscribe","channel":"c","__proto__":{"polluted":true}}'],
    ['__proto__ nested in data', '{"action":"publish","channel":"c","event":"e","data":{"a":[{"__proto__":{"x":1}}]}}'],
    ['__proto__ spelled with \\u escapes', '{"action":"publish","channel":"c","event":"e","data":{"\\u005f_proto\\u005f_":{"x":1}}}'],
    ['binary frame', new Uint8Array([123, 125])],
    ['undefined', undefined],
  ];
  for (const [name, input] of cases) {
    it(`rejects ${name} as invalid_message`, () => {
      expect(() => parseClientAction(input)).not.toThrow();
      const result = expectRejected(input);
      if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
    });
  }

  it('does not pollute Object.prototype', () => {
    parseClientAction('{"action":"publish","channel":"c","event":"e","data":{"__proto__":{"polluted":true}}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('allows \\u escapes that spell other keys and values', () => {
    expect(expectAction('{"action":"publish","channel":"c","event":"e","data":{"\\u0074ext":"caf\\u00e9"}}')).toMatchObject({
      data: { text: 'café' },
    });
  });

  it('allows the text "__proto__" inside values', () => {
    expect(expectAction('{"action":"publish","channel":"c","event":"e","data":{"text":"__proto__"}}')).toMatchObject({
      data: { text: '__proto__' },
    });
  });
});

describe('size limit: 32 KB measured in UTF-8 bytes of the frame', () => {
  const frameOfBytes = (bytes: number, filler = 'a') => {
    const empty = '{"action":"publish","channel":"c","event":"e","data":{"t":""}}';
    const fillerBytes = new TextEncoder().encode(filler).length;
    const count = (bytes - empty.length) / fillerBytes;
    const text = empty.replace('"t":""', `"t":"${filler.repeat(count)}"`);
    expect(new TextEncoder().encode(text).length).toBe(bytes);
    return text;
  };

  it('accepts a frame of exactly MAX_MESSAGE_BYTES', () => {
    expect(parseClientAction(frameOfBytes(MAX_MESSAGE_BYTES)).ok).toBe(true);
  });

  it('rejects one byte over with message_too_large', () => {
    expectRejected(frameOfBytes(MAX_MESSAGE_BYTES + 1), 'message_too_large');
  });

  it('counts multi-byte characters as UTF-8, not UTF-16 units', () => {
    // 'é' is 2 UTF-8 bytes but 1 UTF-16 unit: this frame is short in units and long in bytes.
    const text = JSON.stringify({ action: 'publish', channel: 'c', event: 'e', data: { t: 'é'.repeat(MAX_MESSAGE_BYTES / 2) } });
    expect(text.length).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(new TextEncoder().encode(text).length).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expectRejected(text, 'message_too_large');
  });

  it('takes a custom limit', () => {
    expect(parseClientAction('{"action":"ping"}', 10).ok).toBe(false);
  });
});

describe('parseServerFrame: every frame of the seed', () => {
  const frames: ServerFrame[] = [
    { type: 'message', channel: 'chat', data: { type: 'new_message', text: 'Hello', user: 'John' }, timestamp: 1704067200000 },
    {
      type: 'presence',
      action: 'sync',
      channel: 'chat',
      count: 5,
      members: [{ userId: 'user1', connectionId: 'abc123', connectedAt: 1704067200000 }],
    },
    { type: 'presence', action: 'enter', channel: 'chat', member: { userId: 'user2', connectionId: 'def456', data: { name: 'Jane' } } },
    { type: 'presence', action: 'leave', channel: 'chat', member: { userId: 'user2', connectionId: 'def456' } },
    { type: 'presence', action: 'update', channel: 'chat', member: { userId: 'u', connectionId: 'c', connectedAt: 1, data: { s: 1 } } },
    { type: 'pong', timestamp: 1704067200000 },
    { type: 'error', error: 'Message too large', code: 'message_too_large' },
    { type: 'error', error: 'Bad channel', code: 'invalid_message', channel: 'chat' },
  ];
  for (const frame of frames) {
    it(`accepts ${frame.type}${'action' in frame ? ':' + frame.action : ''}`, () => {
      const result = parseServerFrame(encodeFrame(frame));
      expect(result).toEqual({ ok: true, value: frame });
    });
  }

  it('gives an error frame without a code the code server_error (the hosted service may omit it)', () => {
    expect(parseServerFrame('{"type":"error","error":"Error message"}')).toEqual({
      ok: true,
      value: { type: 'error', error: 'Error message', code: 'server_error' },
    });
  });

  it('accepts a sync whose count is above the members listed (truncated at MAX_PRESENCE_MEMBERS)', () => {
    const text = '{"type":"presence","action":"sync","channel":"c","count":250,"members":[{"userId":"a","connectionId":"1"}]}';
    expect(parseServerFrame(text).ok).toBe(true);
    expect(parseServerFrame('{"type":"pong","timestamp":0}').ok).toBe(true);
  });

  it('maps an unknown error code to server_error', () => {
    const result = parseServerFrame('{"type":"error","error":"x","code":"made_up"}');
    expect(result.ok && result.value.type === 'error' && result.value.code).toBe('server_error');
  });
});

describe('parseServerFrame: malformed frames', () => {
  const cases: Array<[string, string]> = [
    ['non-JSON', '<html>'],
    ['array', '[1]'],
    ['unknown type', '{"type":"mystery"}'],
    ['message without channel', '{"type":"message","data":{"type":"e"},"timestamp":1}'],
    ['message with non-object data', '{"type":"message","channel":"c","data":"x","timestamp":1}'],
    ['message data without type', '{"type":"message","channel":"c","data":{},"timestamp":1}'],
    ['message without timestamp', '{"type":"message","channel":"c","data":{"type":"e"}}'],
    ['presence with unknown action', '{"type":"presence","action":"dance","channel":"c"}'],
    ['sync with negative count', '{"type":"presence","action":"sync","channel":"c","count":-1,"members":[]}'],
    ['sync with members not an array', '{"type":"presence","action":"sync","channel":"c","count":1,"members":{}}'],
    ['sync with a bad member', '{"type":"presence","action":"sync","channel":"c","count":1,"members":[{"userId":1}]}'],
    ['enter without member', '{"type":"presence","action":"enter","channel":"c"}'],
    ['member with string connectedAt', '{"type":"presence","action":"enter","channel":"c","member":{"userId":"u","connectionId":"x","connectedAt":"now"}}'],
    ['pong without timestamp', '{"type":"pong"}'],
    ['error without text', '{"type":"error","code":"forbidden"}'],
    ['sync with count below the number of members', '{"type":"presence","action":"sync","channel":"c","count":1,"members":[{"userId":"a","connectionId":"1"},{"userId":"b","connectionId":"2"}]}'],
    ['sync with a fractional count', '{"type":"presence","action":"sync","channel":"c","count":1.5,"members":[]}'],
    ['pong with a negative timestamp', '{"type":"pong","timestamp":-1}'],
    ['message with a negative timestamp', '{"type":"message","channel":"c","data":{"type":"e"},"timestamp":-5}'],
    ['message with control characters in its channel', '{"type":"message","channel":"a\\nb","data":{"type":"e"},"timestamp":1}'],
    ['message with a channel over 256 characters', JSON.stringify({ type: 'message', channel: 'c'.repeat(257), data: { type: 'e' }, timestamp: 1 })],
    ['presence with control characters in its channel', '{"type":"presence","action":"leave","channel":"a\\u0000b","member":{"userId":"u","connectionId":"x"}}'],
    ['sync with control characters in its channel', '{"type":"presence","action":"sync","channel":"\\u007f","count":0,"members":[]}'],
    ['__proto__ key', '{"type":"message","channel":"c","data":{"type":"e","__proto__":{}},"timestamp":1}'],
    ['__proto__ key spelled with \\u escapes', '{"type":"message","channel":"c","data":{"type":"e","__pr\\u006fto__":{}},"timestamp":1}'],
  ];
  for (const [name, text] of cases) {
    it(`rejects ${name}`, () => {
      const result = parseServerFrame(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.code).toBe('invalid_message');
    });
  }
});
