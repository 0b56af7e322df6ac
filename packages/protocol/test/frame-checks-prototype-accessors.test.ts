// checkServerFrame must accept exactly what parseServerFrame accepts and return the same value,
// also with Object.prototype polluted. A second outside review of the frame checks found them
// apart: checkServerFrame read `channel` of a pong, and parseServerFrame assigned the error
// frame's channel (which calls an inherited setter, or throws for a getter without one). Each
// call runs with the pollution installed; results are judged after it is removed (chai reads getters).
import { describe, expect, it } from 'vitest';
import { checkServerFrame, parsePresenceMember, parseServerFrame } from '@openkbs-pulse/protocol';

function withAccessor<T>(key: string, descriptor: PropertyDescriptor, call: () => T): T {
  Object.defineProperty(Object.prototype, key, { enumerable: false, configurable: true, ...descriptor });
  try {
    return call();
  } finally {
    delete (Object.prototype as Record<string, unknown>)[key];
  }
}

/** A snapshot with own keys only, taken while the pollution is installed (no inherited reads later). */
const own = (value: unknown): unknown =>
  value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]])) : value;

describe('checkServerFrame and parseServerFrame under Object.prototype accessors', () => {
  it('a throwing `channel` getter: both take a valid pong', () => {
    const pong = '{"type":"pong","timestamp":1}';
    const throwing = { get(): never { throw new Error('inherited channel read'); } };
    const parsed = withAccessor('channel', throwing, () => parseServerFrame(pong).ok);
    const checked = withAccessor('channel', throwing, () => checkServerFrame(pong) !== undefined);
    expect(parsed).toBe(true);
    expect(checked).toBe(parsed);
  });

  it('a getter-only `channel` (no setter, not throwing): both take a valid error frame, with its channel', () => {
    const error = '{"type":"error","error":"nope","code":"forbidden","channel":"room"}';
    const getterOnly = { get: () => undefined };
    const parsed = withAccessor('channel', getterOnly, () => {
      const r = parseServerFrame(error);
      return r.ok ? { ok: true, value: own(r.value) } : { ok: false, message: r.message };
    });
    const checked = withAccessor('channel', getterOnly, () => own(checkServerFrame(error)));
    expect(checked).toEqual({ type: 'error', error: 'nope', code: 'forbidden', channel: 'room' });
    expect(parsed).toEqual({ ok: true, value: checked });
  });

  it('a `channel` accessor with a setter: both return the error frame with its own channel', () => {
    const error = '{"type":"error","error":"nope","code":"forbidden","channel":"room"}';
    const accessor = { get: () => undefined, set: () => undefined };
    const parsed = withAccessor('channel', accessor, () => {
      const r = parseServerFrame(error);
      return r.ok ? own(r.value) : r.message;
    });
    const checked = withAccessor('channel', accessor, () => own(checkServerFrame(error)));
    expect(checked).toEqual({ type: 'error', error: 'nope', code: 'forbidden', channel: 'room' });
    expect(parsed).toEqual(checked);
  });
});

describe('parsePresenceMember on values that are not from JSON (exported API)', () => {
  it('still accepts an own connectedAt: undefined (as before)', () => {
    expect(parsePresenceMember({ userId: 'u', connectionId: 'c', connectedAt: undefined }).ok).toBe(true);
  });

  it('refuses a member whose connectedAt (a getter of its class) is not a number', () => {
    class Member {
      userId = 'u';
      connectionId = 'c';
      get connectedAt(): unknown {
        return 'yesterday';
      }
    }
    const result = parsePresenceMember(new Member());
    expect(result.ok).toBe(false);
  });

  it('refuses a member whose connectedAt is inherited from a prototype object and not a number', () => {
    const member = Object.assign(Object.create({ connectedAt: 'x' }), { userId: 'u', connectionId: 'c' });
    expect(parsePresenceMember(member).ok).toBe(false);
  });
});

// A third review found the two checks reading a key a different number of times (parseServerFrame
// read `channel` twice, checkServerFrame `data` twice), so an inherited getter whose answer changes
// (a lazy polyfill, one that fails now and then) made them disagree. Each reads each key once.
describe('checkServerFrame and parseServerFrame read each key once', () => {
  const secondReadThrows = (first: unknown): PropertyDescriptor => {
    let reads = 0;
    return {
      get: () => {
        if (reads++ === 0) return first;
        throw new Error('second read');
      },
    };
  };
  const cases = [
    { key: 'data', first: { type: 'e' }, text: '{"type":"message","channel":"c","timestamp":1}' },
    { key: 'channel', first: 'room', text: '{"type":"message","data":{"type":"e"},"timestamp":1}' },
    { key: 'channel', first: 'room', text: '{"type":"presence","action":"enter","member":{"userId":"u","connectionId":"c"}}' },
  ];
  for (const { key, first, text } of cases) {
    it(`an inherited ${key} that throws on its second read: ${text}`, () => {
      const parsed = withAccessor(key, secondReadThrows(first), () => parseServerFrame(text).ok);
      const checked = withAccessor(key, secondReadThrows(first), () => checkServerFrame(text) !== undefined);
      expect(parsed).toBe(true);
      expect(checked).toBe(true);
    });
  }
});
