// Property-based fuzzing of the protocol parsers: generated malformed frames are always
// rejected with a typed failure, and arbitrary input never makes a parser throw.
// (Named .test.ts: it runs in the unit project; no sockets, no timers.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientAction, parseServerFrame, type ParseResult } from '@openkbs-pulse/protocol';
import { malformedClientFrame, malformedServerFrame, oversizedServerFrame } from '../test-helpers/malformed-frames.js';

const RUNS = 2_000;
const FAILURE_CODES = ['invalid_message', 'message_too_large'];

function expectTypedFailure(result: ParseResult<unknown>): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(FAILURE_CODES).toContain(result.code);
  expect(typeof result.message).toBe('string');
  expect(result.message.length).toBeGreaterThan(0);
}

function expectTyped(result: ParseResult<unknown>): void {
  expect(typeof result.ok).toBe('boolean');
  if (result.ok) expect(typeof result.value).toBe('object');
  else expect(FAILURE_CODES).toContain(result.code);
}

describe('protocol parser fuzz', () => {
  it(`parseClientAction rejects ${RUNS} generated malformed frames with a typed failure`, () => {
    let checked = 0;
    fc.assert(
      fc.property(malformedClientFrame(), (frame) => {
        const result = parseClientAction(frame.payload);
        expectTypedFailure(result);
        checked++;
      }),
      { numRuns: RUNS },
    );
    expect(checked).toBeGreaterThanOrEqual(RUNS);
  });

  it(`parseServerFrame rejects ${RUNS} generated malformed frames with a typed failure`, () => {
    let checked = 0;
    fc.assert(
      fc.property(malformedServerFrame(), (frame) => {
        expectTypedFailure(parseServerFrame(frame.payload));
        checked++;
      }),
      { numRuns: RUNS },
    );
    expect(checked).toBeGreaterThanOrEqual(RUNS);
    const big = parseServerFrame(oversizedServerFrame().payload);
    expect(big).toMatchObject({ ok: false, code: 'message_too_large' });
  });

  it('never throws on arbitrary values, JSON texts or mutated valid frames', () => {
    const input = fc.oneof(
      fc.anything(),
      fc.json({ maxDepth: 4 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      // A valid frame with one character replaced: sometimes still valid, never a throw.
      fc
        .tuple(
          fc.constantFrom(
            '{"action":"publish","channel":"c","event":"e","data":{"a":[1,2,{"b":null}]}}',
            '{"type":"presence","action":"sync","channel":"c","count":1,"members":[{"userId":"u","connectionId":"k"}]}',
            '{"type":"message","channel":"c","data":{"type":"t"},"timestamp":1}',
          ),
          fc.nat(),
          fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
        )
        .map(([text, at, ch]) => text.slice(0, at % text.length) + ch + text.slice((at % text.length) + 1)),
    );
    fc.assert(
      fc.property(input, (value) => {
        expectTyped(parseClientAction(value));
        expectTyped(parseServerFrame(value));
      }),
      { numRuns: RUNS },
    );
  });

  it('deeply nested JSON does not blow the stack', () => {
    const deep = '{"action":"publish","channel":"c","event":"e","data":{"__proto__":' + '['.repeat(5000) + ']'.repeat(5000) + '}}';
    expectTypedFailure(parseClientAction(deep));
    const deepOk = '{"type":"message","channel":"c","data":{"type":"t","x":' + '['.repeat(5000) + ']'.repeat(5000) + '},"timestamp":1}';
    expectTyped(parseServerFrame(deepOk));
  });
});
