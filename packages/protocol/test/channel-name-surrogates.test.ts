// A lone UTF-16 surrogate (a name cut with .slice() inside an emoji) travels in JSON frames as
// itself, but a URL (the connect URL's `channel`) turns it into U+FFFD: the service subscribed
// another name than the client's frames used (an outside review). One rule refuses such names.
import { describe, expect, it } from 'vitest';
import { channelNameProblem, eventNameProblem, parseClientAction, tokenRequestProblem } from '@openkbs-pulse/protocol';

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

  it('agrees with encodeURIComponent (which throws exactly on lone surrogates) on 20,000 random names', () => {
    const units = [0x61, 0x20, 0xe9, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0xfffd];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const name = String.fromCharCode(...Array.from({ length: 1 + Math.floor(random() * 6) }, () => units[Math.floor(random() * units.length)]!));
      let encodes = true;
      try {
        encodeURIComponent(name);
      } catch {
        encodes = false;
      }
      expect(channelNameProblem(name) === undefined, JSON.stringify(name)).toBe(encodes);
    }
  });

  it('a userId with control characters or a lone surrogate is refused for a token (each would travel as a 6-character escape)', () => {
    expect(tokenRequestProblem('\u0001'.repeat(10))).toMatch(/control characters/);
    expect(tokenRequestProblem('ada\uD800')).toMatch(/well-formed/);
    expect(tokenRequestProblem('ada \u{1F600}')).toBeUndefined();
  });
});
