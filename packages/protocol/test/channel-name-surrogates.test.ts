// A lone UTF-16 surrogate (a name cut with .slice() inside an emoji) travels in JSON frames as
// itself, but a URL (the connect URL's `channel`) turns it into U+FFFD: the service subscribed
// another name than the client's frames used (an outside review). One rule refuses such names.
import { describe, expect, it } from 'vitest';
import { channelNameProblem, eventNameProblem, parseClientAction } from '@openkbs-pulse/protocol';

const emojis = '\u{1F600}'.repeat(128);

describe('names with lone surrogates', () => {
  it.each([
    ['a high surrogate alone', '\uD800lone'],
    ['a low surrogate alone', 'lone\uDC00'],
    ['a name cut inside an emoji', emojis.slice(0, 101)],
    ['two highs', '\uD800\uD800\uDC00'],
  ])('%s is refused as a channel and as an event name', (_, name) => {
    expect(channelNameProblem(name)).toMatch(/well-formed Unicode/);
    expect(eventNameProblem(name)).toMatch(/well-formed Unicode/);
  });

  it('whole surrogate pairs (emoji) are fine, up to the limit', () => {
    expect(channelNameProblem(emojis)).toBeUndefined();
    expect(channelNameProblem('caf\u00e9 \u2615 \u{1F600}')).toBeUndefined();
  });

  it('the service refuses a subscribe to such a name (the same rule)', () => {
    const result = parseClientAction(JSON.stringify({ action: 'subscribe', channel: '\uD800lone' }));
    expect(result).toMatchObject({ ok: false, code: 'invalid_message' });
  });
});
