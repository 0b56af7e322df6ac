// validatePublish measures with the protocol's messageFrameBytes (one definition of the 32 KB
// rule for the client, the SDK and the service), not a copy of its own.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_MESSAGE_BYTES, messageFrameBytes as realMessageFrameBytes } from '@openkbs-pulse/protocol';

const measured = vi.hoisted(() => ({ override: undefined as number | undefined, calls: [] as unknown[][] }));

vi.mock('@openkbs-pulse/protocol', async (importOriginal) => {
  const original = await importOriginal<typeof import('@openkbs-pulse/protocol')>();
  return {
    ...original,
    messageFrameBytes: (...args: Parameters<typeof original.messageFrameBytes>) => {
      measured.calls.push(args);
      return measured.override ?? original.messageFrameBytes(...args);
    },
  };
});

const { validatePublish } = await import('../src/client.js');

afterEach(() => {
  measured.override = undefined;
  measured.calls.length = 0;
});

describe('validatePublish', () => {
  it('asks messageFrameBytes for the size and applies MAX_MESSAGE_BYTES to its answer', () => {
    measured.override = MAX_MESSAGE_BYTES + 1;
    expect(() => validatePublish('chat', 'msg', { a: 1 })).toThrow(expect.objectContaining({ code: 'message_too_large' }));
    expect(measured.calls).toEqual([['chat', 'msg', { a: 1 }]]);
    measured.override = MAX_MESSAGE_BYTES;
    expect(() => validatePublish('chat', 'msg', { a: 1 })).not.toThrow();
  });

  it('at the real boundary: exactly MAX_MESSAGE_BYTES passes, one more byte fails', () => {
    const base = realMessageFrameBytes('chat', 'msg', { text: '' });
    const fits = { text: 'x'.repeat(MAX_MESSAGE_BYTES - base) };
    expect(realMessageFrameBytes('chat', 'msg', fits)).toBe(MAX_MESSAGE_BYTES);
    expect(() => validatePublish('chat', 'msg', fits)).not.toThrow();
    expect(() => validatePublish('chat', 'msg', { text: `${fits.text}x` })).toThrow(expect.objectContaining({ code: 'message_too_large' }));
  });
});
