// An enumerable getter on Object.prototype (that throws) is listed by for...in for every object.
// The nesting walk must never read it: the parsers are documented never to throw, and the
// walk's own keys are all that count. (An outside review found the walk reading every key's value
// before asking whether it was own.) Each call runs with the getter installed and is judged after
// it is gone, so the test framework itself never meets the getter.
import { describe, expect, it } from 'vitest';
import { checkServerFrame, jsonValueProblem, MAX_PUBLISH_DATA_DEPTH, parseClientAction, parseServerFrame } from '@openkbs-pulse/protocol';

const message = '{"type":"message","channel":"c","timestamp":1,"data":{"type":"e","x":1,"deep":[{"y":{}}]}}';
const publish = '{"action":"publish","channel":"c","event":"e","data":{"x":{"y":[{}]}}}';

/** What `call` returned or threw while Object.prototype had an enumerable getter that throws. */
function withThrowingGetter(call: () => unknown): { value?: unknown; thrown?: unknown; reads: number } {
  let reads = 0;
  Object.defineProperty(Object.prototype, 'lazy', {
    enumerable: true,
    configurable: true,
    get() {
      reads++;
      throw new Error('getter called on a frame object');
    },
  });
  try {
    return { value: call(), reads };
  } catch (thrown) {
    return { thrown, reads };
  } finally {
    delete (Object.prototype as Record<string, unknown>).lazy;
  }
}

describe('frames in a process whose Object.prototype has an enumerable getter that throws', () => {
  it('parseServerFrame, checkServerFrame and parseClientAction accept the frame, never reading the getter', () => {
    const server = withThrowingGetter(() => parseServerFrame(message));
    const compact = withThrowingGetter(() => checkServerFrame(message));
    const client = withThrowingGetter(() => parseClientAction(publish));
    for (const result of [server, compact, client]) expect([result.thrown, result.reads]).toEqual([undefined, 0]);
    expect(server.value).toEqual(parseServerFrame(message));
    expect(compact.value).toEqual(checkServerFrame(message));
    expect(client.value).toEqual(parseClientAction(publish));
    expect([server.value, compact.value, client.value]).toEqual([expect.objectContaining({ ok: true }), expect.objectContaining({ type: 'message' }), expect.objectContaining({ ok: true })]);
  });

  it('still refuses a frame too deep or with a __proto__ key there', () => {
    const deep = `{"type":"message","channel":"c","timestamp":1,"data":{"type":"e","x":${'['.repeat(70)}${']'.repeat(70)}}}`;
    const proto = '{"type":"message","channel":"c","timestamp":1,"data":{"type":"e","x":{"__proto__":{}}}}';
    expect(withThrowingGetter(() => checkServerFrame(deep))).toEqual({ value: undefined, reads: 0 });
    expect(withThrowingGetter(() => checkServerFrame(proto))).toEqual({ value: undefined, reads: 0 });
  });

  it('jsonValueProblem lets plain data through (JSON.stringify never reads inherited keys)', () => {
    expect(withThrowingGetter(() => jsonValueProblem({ x: { y: [{}] } }, MAX_PUBLISH_DATA_DEPTH))).toEqual({ value: undefined, reads: 0 });
  });
});
