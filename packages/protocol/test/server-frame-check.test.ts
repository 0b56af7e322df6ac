// checkServerFrame (the compact check pulse.js uses) and parseServerFrame (the one that says why)
// are one rule: the same verdict and the same value for every generated frame, valid or not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkServerFrame, encodeFrame, isPresenceMember, parsePresenceMember, parseServerFrame } from '@openkbs-pulse/protocol';
import { malformedServerFrame } from '../../../test-helpers/malformed-frames.js';

const name = fc.string({ minLength: 1, maxLength: 8 });
const member = fc.record({ userId: name, connectionId: name, connectedAt: fc.option(fc.nat(), { nil: undefined }), data: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) }, { requiredKeys: ['userId', 'connectionId'] });
const validFrame = fc.oneof(
  fc.record({ type: fc.constant('message'), channel: name, data: fc.record({ type: name, x: fc.jsonValue({ maxDepth: 2 }) }), timestamp: fc.nat() }),
  fc.array(member, { maxLength: 4 }).chain((members) =>
    fc.record({ type: fc.constant('presence'), action: fc.constant('sync'), channel: name, count: fc.integer({ min: members.length, max: 500 }), members: fc.constant(members) }),
  ),
  fc.record({ type: fc.constant('presence'), action: fc.constantFrom('enter', 'leave', 'update'), channel: name, member }),
  fc.record({ type: fc.constant('pong'), timestamp: fc.nat() }),
  fc.record({ type: fc.constant('error'), error: fc.string(), code: fc.oneof(fc.constantFrom('rate_limited', 'forbidden', 'not_a_code', 'constructor'), fc.string()), channel: fc.option(name, { nil: undefined }) }),
);
/** A valid frame with one field replaced by an arbitrary JSON value: near misses. */
const mutated = validFrame.chain((frame) =>
  fc.tuple(fc.constantFrom(...Object.keys(frame)), fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => JSON.stringify({ ...frame, [key]: value })),
);

const agree = (text: unknown): void => {
  const parsed = parseServerFrame(text);
  const checked = checkServerFrame(text);
  expect(checked !== undefined).toBe(parsed.ok);
  if (parsed.ok) expect(checked).toEqual(parsed.value);
};

describe('checkServerFrame agrees with parseServerFrame', () => {
  it('on generated valid frames', () => {
    fc.assert(fc.property(validFrame, (frame) => agree(encodeFrame(frame as never))), { numRuns: 2000 });
  });
  it('on every generated malformed frame (the shared fuzz generator)', () => {
    fc.assert(fc.property(malformedServerFrame(), (frame) => agree(frame.payload)), { numRuns: 1500 });
  });
  it('on near misses (one field of a valid frame replaced)', () => {
    fc.assert(fc.property(mutated, agree), { numRuns: 1000 });
  });
  it('on arbitrary values and texts', () => {
    fc.assert(fc.property(fc.oneof(fc.anything(), fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), agree), { numRuns: 1000 });
  });
});

describe('checkServerFrame remembers the last valid channel name (the receive path checks a name once)', () => {
  it('a bad name right after a good one is still refused, and the good one accepted again', () => {
    const frame = (channel: string) => JSON.stringify({ type: 'message', channel, data: { type: 'e' }, timestamp: 1 });
    expect(checkServerFrame(frame('room'))).toBeDefined();
    expect(checkServerFrame(frame('room\u0001'))).toBeUndefined();
    expect(checkServerFrame(frame('x'.repeat(257)))).toBeUndefined();
    expect(checkServerFrame(frame(''))).toBeUndefined();
    expect(checkServerFrame(frame('room'))).toBeDefined();
    expect(checkServerFrame(JSON.stringify({ type: 'message', channel: 7, data: { type: 'e' }, timestamp: 1 }))).toBeUndefined();
  });
});

// shareConnection checks the members other tabs post (structured-cloned, copied through JSON) with
// isPresenceMember: the same rule as for the service's frames.
describe('isPresenceMember', () => {
  it('agrees with parsePresenceMember', () => {
    const near = member.chain((m) => fc.tuple(fc.constantFrom('userId', 'connectionId', 'connectedAt'), fc.jsonValue({ maxDepth: 1 })).map(([key, value]) => ({ ...m, [key]: value })));
    const agreeMember = (value: unknown): void => {
      expect(isPresenceMember(value)).toBe(parsePresenceMember(value).ok);
    };
    fc.assert(fc.property(fc.oneof(member, near, fc.anything()), agreeMember), { numRuns: 1500 });
  });
});
