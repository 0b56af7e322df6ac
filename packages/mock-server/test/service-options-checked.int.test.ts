// An outside review found: createPulseService checked its limit options ("a positive number ... anything else is a
// typed error naming the option", PulseError invalid_argument) but not maxBufferedBytes,
// tokenTtlSeconds or connectionTtlMs, which then failed later and elsewhere (tokenTtlSeconds: NaN
// made every token request over HTTP a 500; maxBufferedBytes: NaN removed the slow-consumer bound).
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService, type PulseServiceOptions } from '../src/index.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function created(options: PulseServiceOptions): Promise<string> {
  try {
    service = await createPulseService(options);
    return 'created';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('createPulseService option checks', () => {
  for (const [name, options] of [
    ['maxBufferedBytes: NaN (no slow-consumer bound at all: bufferedAmount > NaN is never true)', { maxBufferedBytes: Number.NaN }],
    ['maxBufferedBytes: -1 (every connection closed 4008 at its first frame)', { maxBufferedBytes: -1 }],
    ['tokenTtlSeconds: NaN (every token mint fails; over HTTP a 500 server_error)', { tokenTtlSeconds: Number.NaN }],
    ['connectionTtlMs: -5 (every connection closed at once)', { connectionTtlMs: -5 }],
  ] as const) {
    it(`${name}: refused with invalid_argument like the other limits`, async () => {
      expect(await created(options)).toBe('invalid_argument');
    });
  }

  it('control: a bad limit option is refused', async () => {
    expect(await created({ maxFrameBurst: Number.NaN })).toBe('invalid_argument');
  });

  it('tokenTtlSeconds below a second or over a year is refused as getToken would refuse it; the bounds are taken', async () => {
    expect(await created({ tokenTtlSeconds: 0.5 })).toBe('invalid_argument');
    expect(await created({ tokenTtlSeconds: 366 * 24 * 3600 })).toBe('invalid_argument');
    expect(await created({ tokenTtlSeconds: 1 })).toBe('created');
  });
});
