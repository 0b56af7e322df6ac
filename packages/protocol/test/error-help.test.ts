// Per-code help: every error code has a fix, every message built by errorMessage ends with that
// fix and the code's section of docs/errors.md, and PulseError.docsUrl points at the same section.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_FIX, ERRORS_DOCS_URL, PulseError, errorDocsUrl, errorMessage } from '@openkbs-pulse/protocol';

describe('ERROR_FIX', () => {
  it('has a fix for exactly the error codes (a new code without help fails here)', () => {
    expect(Object.keys(ERROR_FIX).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each([...ERROR_CODES])('%s: a short sentence', (code) => {
    const fix = ERROR_FIX[code];
    expect(fix.length).toBeGreaterThan(10);
    // Short on purpose: it ends every server SDK message; the long text is in docs/errors.md.
    expect(fix.length).toBeLessThanOrEqual(110);
    expect(fix.endsWith('.')).toBe(true);
  });
});

describe('errorMessage', () => {
  it.each([...ERROR_CODES])('%s: what happened, then the fix, then the docs anchor', (code) => {
    const message = errorMessage(code, 'something happened');
    expect(message).toBe(`something happened. Fix: ${ERROR_FIX[code]} See ${ERRORS_DOCS_URL}#${code}`);
    expect(message).toContain(ERROR_FIX[code]);
    expect(message).toContain(errorDocsUrl(code));
  });

  it('does not double a full stop the detail already has', () => {
    expect(errorMessage('kb_mismatch', 'wrong kb.  ')).toMatch(/^wrong kb\. Fix: /);
  });
});

describe('PulseError.docsUrl', () => {
  it('is the section of its code', () => {
    const error = new PulseError('kb_mismatch', errorMessage('kb_mismatch', 'token for kb "a", kbId option "b"'));
    expect(error.docsUrl).toBe(`${ERRORS_DOCS_URL}#kb_mismatch`);
    expect(error.message).toContain(error.docsUrl);
  });
});
