// checkServerFrame remembers the last valid channel name (module state). In a fresh module, before
// any valid name was seen, a frame without a channel must still be refused: found by review (the
// memory started as `undefined`, which a missing channel equals). This file runs in its own module
// instance (vitest isolates test files), so nothing has been cached here.
import { describe, expect, it } from 'vitest';
import { checkServerFrame, parseServerFrame } from '@openkbs-pulse/protocol';

describe('checkServerFrame in a fresh module', () => {
  it('refuses message and presence frames without a channel, as parseServerFrame does', () => {
    const frames = [
      JSON.stringify({ type: 'message', data: { type: 'e' }, timestamp: 1 }),
      JSON.stringify({ type: 'presence', action: 'sync', members: [], count: 0 }),
    ];
    for (const frame of frames) {
      expect(parseServerFrame(frame).ok).toBe(false);
      expect(checkServerFrame(frame)).toBeUndefined();
    }
  });
});
