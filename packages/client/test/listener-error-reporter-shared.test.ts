// A client's reporter of listener errors is made once and shared by all its emitters (the
// engine's, and two per channel in use), and a client without onListenerError adds none: a guard
// made per emitter cost about 360 B of heap a client (the bench's memory suite). It still never
// throws: not when onListenerError rethrows, not when console.error throws (a test setup that
// fails on console output).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEmitter, reporterFor } from '../src/emitter.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reporterFor', () => {
  it('gives every client without onListenerError the one shared reporter', () => {
    expect(reporterFor(undefined)).toBe(reporterFor(undefined));
  });

  it('guards console.error: an emit goes on when it throws', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {
      throw new Error('console.error is not allowed here');
    });
    const em = createEmitter<{ x: number }>(reporterFor(undefined));
    const heard: number[] = [];
    em.on('x', () => {
      throw new Error('listener bug');
    });
    em.on('x', (value) => heard.push(value));
    expect(() => em.emit('x', 1)).not.toThrow();
    expect(heard).toEqual([1]);
  });

  it('guards an onListenerError that rethrows, and gives it every error', () => {
    const seen: unknown[] = [];
    const report = reporterFor((error) => {
      seen.push(error);
      throw error;
    });
    const em = createEmitter<{ x: number }>(report);
    em.on('x', () => {
      throw new Error('listener bug');
    });
    expect(() => em.emit('x', 1)).not.toThrow();
    expect(seen).toHaveLength(1);
  });
});
