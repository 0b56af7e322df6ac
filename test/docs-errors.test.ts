// docs/errors.md against the protocol package: one section per ErrorCode, in ERROR_CODES order,
// whose heading is the anchor errorDocsUrl links to, and whose fix is the ERROR_FIX sentence the
// messages print (so the page and the messages cannot drift apart).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_FIX, errorDocsUrl } from '@openkbs-pulse/protocol';

const page = readFileSync(fileURLToPath(new URL('../docs/errors.md', import.meta.url)), 'utf8');

/** The `## ` sections of the page: heading text and body. */
function sections(): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of page.split(/^## /m).slice(1)) {
    const [heading = '', ...body] = part.split('\n');
    out.set(heading.trim(), body.join('\n'));
  }
  return out;
}

/** GitHub's anchor of a heading: lower case, punctuation other than - and _ dropped, spaces as -. */
const anchorOf = (heading: string) => heading.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

describe('docs/errors.md', () => {
  it('has one section per error code, in ERROR_CODES order', () => {
    expect([...sections().keys()]).toEqual([...ERROR_CODES]);
  });

  it.each([...ERROR_CODES])('%s: the anchor errorDocsUrl names exists, with what happened, causes and the fix', (code) => {
    const anchor = errorDocsUrl(code).split('#')[1];
    const heading = [...sections().keys()].find((h) => anchorOf(h) === anchor);
    expect(heading, `no heading with anchor #${anchor}`).toBe(code);
    const body = sections().get(code) ?? '';
    expect(body).toContain('**What happened.**');
    expect(body).toMatch(/\*\*Likely causes\.\*\*\n\n- /);
    const fix = ERROR_FIX[code];
    expect(body).toContain(`**Fix.** ${fix[0]!.toUpperCase()}${fix.slice(1)}`);
  });
});
