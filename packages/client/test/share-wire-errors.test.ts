// How a leader tab tells other tabs of a failure (share-protocol.ts toWire): a PulseError as it
// is, anything else as a server_error with its message. A thrown value without a string form (a
// null-prototype object) once made String() throw inside the leader's error path.
import { describe, expect, it } from 'vitest';
import { PulseError } from '@openkbs-pulse/protocol';
import { toWire } from '../src/share-protocol.js';

describe('toWire', () => {
  it('keeps a PulseError', () => {
    expect(toWire(new PulseError('timeout', 'too slow'))).toMatchObject({ code: 'timeout', message: 'too slow' });
  });

  it.each<[string, unknown, string]>([
    ['an Error', new Error('boom'), 'boom'],
    ['a thrown string', 'boom', 'boom'],
    ['a null-prototype object', Object.create(null), 'a value of type object'],
    ['an object whose message has no string form', { message: { toString: 1 } }, 'a value of type object'],
  ])('tells %s as a server_error without throwing', (_label, error, message) => {
    expect(toWire(error)).toEqual({ code: 'server_error', message });
  });
});
