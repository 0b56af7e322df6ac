// An outside review found: createPulseService checks requestTimeoutMs with `positive` ("must be a positive number") and
// clamps it to MAX_TIMER_MS, but hands a fractional value to Node's createServer, whose
// requestTimeout must be an integer: a RangeError (ERR_OUT_OF_RANGE) escapes instead of either
// working or a PulseError invalid_argument naming the option.
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe('requestTimeoutMs that is positive but not whole', () => {
  it.each([2500.5, 0.5])('requestTimeoutMs %s: the service starts, or the error is a PulseError invalid_argument', async (requestTimeoutMs) => {
    let outcome: string;
    try {
      service = await createPulseService({ requestTimeoutMs });
      outcome = 'started';
    } catch (error) {
      const e = error as Error & { code?: string };
      outcome = `${e.constructor.name} ${e.code}: ${e.message}`;
    }
    expect(outcome).toMatch(/^(started|PulseError invalid_argument: requestTimeoutMs)/);
  });
});
