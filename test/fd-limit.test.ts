// test-helpers/fd-limit.ts: the scale tests check the open-file limit first and fail with a clear
// message, instead of half-way with EMFILE.
import { describe, expect, it } from 'vitest';
import { assertFdLimit, filesNeeded, openFileLimit } from '../test-helpers/fd-limit.js';

describe('open-file limit pre-check', () => {
  it('reads `ulimit -n` (a number or unlimited)', () => {
    expect(openFileLimit(() => '20000\n')).toBe(20_000);
    expect(openFileLimit(() => 'unlimited\n')).toBe(Infinity);
    expect(() => openFileLimit(() => 'huh')).toThrow(/could not read the open-file limit/);
    // This machine's, through a real child shell.
    expect(openFileLimit()).toBeGreaterThan(0);
  });

  it('passes when the limit covers the connections plus headroom', () => {
    expect(() => assertFdLimit(10_000, filesNeeded(10_000))).not.toThrow();
    expect(() => assertFdLimit(10_000, Infinity)).not.toThrow();
  });

  it('fails with what to do when the limit is too low for 10k connections', () => {
    expect(() => assertFdLimit(10_000, 1024)).toThrow(/open-file limit \(ulimit -n\) is 1024, but 10,000 connections need at least 11,000 open files per process.*ulimit -n 20000/);
  });
});
