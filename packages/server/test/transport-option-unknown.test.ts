// A value of `transport` other than 'auto', 'fetch' and 'undici' (a typo: 'feth', 'Fetch') was
// taken as undici, silently: the client used another transport than the one asked for. It is
// refused when the client is created, with the values it takes.
import { expect, it } from 'vitest';
import { createPulseClient, isPulseError } from '../src/index.js';
import type { TransportKind } from '../src/index.js';

for (const transport of ['feth', 'Fetch', '', 'http', 1]) {
  it(`refuses transport ${JSON.stringify(transport)} as invalid_argument`, () => {
    let error: unknown;
    try {
      createPulseClient({ kbId: 'kb', apiKey: 'key', transport: transport as TransportKind });
    } catch (caught) {
      error = caught;
    }
    expect(isPulseError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/^transport must be "auto", "fetch" or "undici" \(got .+\); leave it out for "auto"\. Fix: /) });
  });
}

it('takes the three transports, and none (undefined or null: auto)', () => {
  for (const transport of ['auto', 'fetch', 'undici', undefined, null] as const) {
    expect(createPulseClient({ kbId: 'kb', apiKey: 'key', transport: transport as TransportKind }).transport).toBe(transport === 'fetch' ? 'fetch' : 'pending');
  }
});
