import { describe, expect, it, vi } from 'vitest';
import Pulse, { isPulseError } from '../src/index.js';
import { makeToken } from './helpers.js';

// A runtime without `ws` and without a global WebSocket.
vi.mock('isomorphic-ws', () => ({ default: undefined }));

describe('no WebSocket implementation', () => {
  it('throws no_websocket saying how to fix it', () => {
    vi.stubGlobal('WebSocket', undefined);
    try {
      let error: unknown;
      try {
        new Pulse({ kbId: 'kb', token: makeToken() });
      } catch (e) {
        error = e;
      }
      expect(isPulseError(error) && error.code).toBe('no_websocket');
      expect((error as Error).message).toMatch(/`WebSocket` option/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
