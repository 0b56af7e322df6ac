import { describe, expect, it } from 'vitest';
import pulse, { getToken, publish, presence } from 'openkbs-pulse/server';

describe('openkbs-pulse/server', () => {
  it('re-exports the server SDK, default export included', () => {
    expect(typeof pulse.getToken).toBe('function');
    expect(typeof pulse.publish).toBe('function');
    expect(typeof pulse.presence).toBe('function');
    expect([getToken, publish, presence].map((f) => typeof f)).toEqual(['function', 'function', 'function']);
  });
});
