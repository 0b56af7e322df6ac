// An outside review found: `undefined` in an array, which JSON turns into `null`, was sent as
// null without a word (the rule refuses what JSON would change); and `{ type: undefined }`, which
// JSON leaves out, was refused as "data.type is reserved" though it is no other type.
import { describe, expect, it } from 'vitest';
import { setupPulse, settledAs } from './helpers.js';

describe('data JSON would change', () => {
  it('undefined inside an array (JSON silently turns it into null) is refused like other values JSON would change', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    const ch = pulse.channel('c');
    const p = ch.publish('e', { list: [1, undefined, 3] } as never);
    const result = await settledAs(p);
    // what went on the wire instead:
    const sent = ws.last.actions.find((a) => a.action === 'publish');
    expect({ result, sent }).toEqual({ result: 'invalid_argument', sent: undefined });
  });
  it('presence data: undefined inside an array is refused too', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    const p = pulse.channel('c').presence.enter({ tags: [undefined] });
    expect(await settledAs(p)).toBe('invalid_argument');
  });
  it('a data.type that is undefined (JSON leaves it out) is not a different type: accepted', async () => {
    const { pulse, ws } = setupPulse();
    ws.last.accept();
    ws.autoPong = true;
    const p = pulse.channel('c').publish('e', { type: undefined, text: 'hi' } as never);
    expect(await settledAs(p)).not.toBe('invalid_argument');
  });
});
