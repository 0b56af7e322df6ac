// The frame checks read keys a frame may lack, and such a read reaches Object.prototype. With a
// throwing getter there named like a frame key, the parsers (documented: never throw) threw, and
// checkServerFrame refused a pong parseServerFrame took (an outside review found both). Each call
// runs with the getter installed; results are judged after it is removed (chai reads getters).
import { describe, expect, it } from 'vitest';
import { checkServerFrame, parseServerFrame } from '@openkbs-pulse/protocol';
import { withThrowingGetter } from './prototype-getters.js';

const pong = '{"type":"pong","timestamp":1}';
const sync = '{"type":"presence","action":"sync","channel":"c","count":1,"members":[{"userId":"u","connectionId":"c"}]}';

describe('inherited getters named like frame keys', () => {
  it('checkServerFrame(pong) neither throws nor disagrees with parseServerFrame when Object.prototype has an `action` getter', () => {
    const parsed = withThrowingGetter('action', () => parseServerFrame(pong).ok);
    const checked = withThrowingGetter('action', () => checkServerFrame(pong) !== undefined);
    expect(parsed).toEqual({ value: true });
    expect(checked).toEqual({ value: true });
  });

  // parsePresenceMember is exported and also checks members that are not from JSON (a class with
  // a `connectedAt` getter): it reads the key as any other. Under a throwing getter both refuse.
  it('parseServerFrame / checkServerFrame never throw on a sync whose member has no connectedAt, and agree', () => {
    expect(withThrowingGetter('connectedAt', () => parseServerFrame(sync).ok)).toEqual({ value: false });
    expect(withThrowingGetter('connectedAt', () => checkServerFrame(sync) !== undefined)).toEqual({ value: false });
  });

  it('a frame whose required key is missing and inherited from a throwing getter is refused by both, not thrown from', () => {
    const noTimestamp = '{"type":"pong"}';
    expect(withThrowingGetter('timestamp', () => parseServerFrame(noTimestamp).ok)).toEqual({ value: false });
    expect(withThrowingGetter('timestamp', () => checkServerFrame(noTimestamp))).toEqual({ value: undefined });
    const noChannel = '{"type":"error","error":"x","code":"forbidden"}';
    expect(withThrowingGetter('channel', () => parseServerFrame(noChannel).ok)).toEqual({ value: false });
    expect(withThrowingGetter('channel', () => checkServerFrame(noChannel))).toEqual({ value: undefined });
  });

  it('a message frame passes both while Object.prototype has throwing getters named action and connectedAt', () => {
    const message = '{"type":"message","channel":"c","data":{"type":"t"},"timestamp":1}';
    expect(withThrowingGetter('action', () => parseServerFrame(message).ok)).toEqual({ value: true });
    expect(withThrowingGetter('action', () => checkServerFrame(message) !== undefined)).toEqual({ value: true });
  });
});
