// parsedJsonProblem walks objects with for...in, which also visits enumerable keys a process has
// added to Object.prototype (old libraries and polyfills do). The text scans it replaced (and
// containsProtoKey, which used Object.values / hasOwnProperty) only ever saw the frame's own keys.
import { afterEach, describe, expect, it } from 'vitest';
import { checkServerFrame, jsonValueProblem, MAX_PUBLISH_DATA_DEPTH, parseClientAction, parseServerFrame } from '@openkbs-pulse/protocol';

const message = '{"type":"message","channel":"c","timestamp":1,"data":{"type":"e","x":1}}';
const publish = '{"action":"publish","channel":"c","event":"e","data":{"x":1}}';
const proto = Object.prototype as Record<string, unknown>;

afterEach(() => {
  delete proto.extra;
});

describe('frames in a process whose Object.prototype has an enumerable property', () => {
  it('are accepted as before when that property holds an object', () => {
    expect(parseServerFrame(message).ok).toBe(true);
    expect(parseClientAction(publish).ok).toBe(true);
    proto.extra = { enabled: true };
    // Each object inherits `extra`, whose value inherits `extra`...: the walk follows it 64 levels down.
    expect(parseServerFrame(message)).toMatchObject({ ok: true });
    expect(checkServerFrame(message)).toBeDefined();
    expect(parseClientAction(publish)).toMatchObject({ ok: true });
  });

  it('let outgoing data through as before', () => {
    proto.extra = { enabled: true };
    expect(jsonValueProblem({ x: 1 }, MAX_PUBLISH_DATA_DEPTH)).toBeUndefined();
  });
});
