// An outside review found: `unboxed` (protocol validate.ts) recognises boxed primitives with `instanceof`, so a
// boxed value from another realm (an iframe's `new String`, Node's vm, a jsdom/test context) is
// not recognised. JSON.stringify still writes the primitive inside it (it reads the internal
// slot), so exactly what the boxed-primitives fix meant to stop travels again: `"data":"hi"`
// (which the service refuses, and its refusal rejects the other unconfirmed publishes too), and a
// nested `new Number(NaN)` written as null.
import { publishDataProblem, publishProblem } from '@openkbs-pulse/protocol';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { flush, settledAs, setupPulse } from './helpers.js';

const foreign = <T>(code: string): T => vm.runInNewContext(code) as T;

describe('boxed primitives from another realm', () => {
  it('protocol: judged as the JSON they travel as, like same-realm ones', () => {
    expect(publishDataProblem('e', new String('hi'))).toBeDefined(); // same realm: refused (the fix)
    const str = foreign<object>('new String("hi")');
    expect(JSON.stringify(str)).toBe('"hi"');
    expect(publishDataProblem('e', str)).toBeDefined();
  });

  it('protocol: a nested foreign new Number(NaN) (written as null) is refused like NaN', () => {
    expect(publishProblem('a', 'e', { n: new Number(NaN) })).toBeDefined(); // same realm: refused (the fix)
    const nested = { n: foreign<object>('new Number(NaN)') };
    expect(JSON.stringify(nested)).toBe('{"n":null}');
    expect(publishProblem('a', 'e', nested)).toBeDefined();
  });

  it('client: publish() of a foreign boxed string is refused before sending, nothing on the wire', async () => {
    const { pulse, ws } = setupPulse();
    pulse.on('error', () => {});
    ws.last.accept();
    const p = pulse.channel('a').publish('e', foreign<object>('new String("hi")') as never);
    await flush();
    const wire = ws.last.frames.filter((f) => f.action === 'publish').map((f) => JSON.stringify(f));
    expect({ outcome: await settledAs(p), wire }).toEqual({ outcome: 'invalid_argument', wire: [] });
  });
});
