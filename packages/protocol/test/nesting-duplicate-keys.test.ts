// JSON.parse keeps the last of duplicate keys. The nesting rule (parsedJsonProblem) judges the
// parsed value, so nesting under an earlier copy of a key, which JSON.parse throws away, is not
// counted: what reaches anybody nests no deeper than the last copy. (The text scans it replaced
// counted every bracket and refused such frames; an outside review found the difference, and it
// was kept on purpose and documented at parsedJsonProblem.) The three parsers agree on it.
import { describe, expect, it } from 'vitest';
import { checkServerFrame, MAX_NESTING_DEPTH, parseClientAction, parseServerFrame } from '@openkbs-pulse/protocol';

const deep = '['.repeat(MAX_NESTING_DEPTH + 10) + ']'.repeat(MAX_NESTING_DEPTH + 10);

describe('nesting under a duplicate key that JSON.parse drops', () => {
  it('is not counted in a client action: the action carries the last copy only', () => {
    const text = `{"action":"publish","channel":"c","event":"e","data":{"x":${deep},"x":1}}`;
    expect(parseClientAction(text)).toMatchObject({ ok: true, value: { data: { x: 1 } } });
  });

  it('is not counted in a server frame, by both checks alike', () => {
    const text = `{"type":"message","channel":"c","timestamp":1,"data":{"type":"e","x":${deep},"x":1}}`;
    expect(parseServerFrame(text)).toMatchObject({ ok: true, value: { data: { type: 'e', x: 1 } } });
    expect(checkServerFrame(text)).toEqual({ type: 'message', channel: 'c', timestamp: 1, data: { type: 'e', x: 1 } });
  });

  it('is counted when the deep copy is the one kept', () => {
    const text = `{"type":"message","channel":"c","timestamp":1,"data":{"type":"e","x":1,"x":${deep}}}`;
    expect(parseServerFrame(text)).toMatchObject({ ok: false, code: 'invalid_message', message: expect.stringContaining('nested too deeply') });
    expect(checkServerFrame(text)).toBeUndefined();
  });
});
