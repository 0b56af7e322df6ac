// parseClientAction (the service's frame handler, documented: never throws) reads keys an action
// may lack (`event`, `data`, `channel`), and such a read reaches Object.prototype. With a throwing
// getter there, it threw out of the service's message handler; now the action is refused.
import { describe, expect, it } from 'vitest';
import { parseClientAction } from '@openkbs-pulse/protocol';
import { withThrowingGetter } from './prototype-getters.js';

const refusal = (text: string, key: string) => withThrowingGetter(key, () => {
  const result = parseClientAction(text);
  return result.ok ? 'ok' : result.code;
});

describe('parseClientAction under a throwing getter on Object.prototype', () => {
  it.each([
    ['{"action":"publish","channel":"c","data":{}}', 'event'],
    ['{"action":"publish","channel":"c","event":"e"}', 'data'],
    ['{"action":"presence_enter","channel":"c"}', 'data'],
    ['{"action":"subscribe"}', 'channel'],
    ['{"channel":"c"}', 'action'],
  ])('refuses %s (missing %s) with invalid_message, never throws', (text, key) => {
    expect(refusal(text, key)).toEqual({ value: 'invalid_message' });
  });

  it('takes an action that has every key it reads, getter or not', () => {
    expect(refusal('{"action":"publish","channel":"c","event":"e","data":{"a":1}}', 'data')).toEqual({ value: 'ok' });
    expect(refusal('{"action":"subscribe","channel":"c"}', 'event')).toEqual({ value: 'ok' });
  });
});
