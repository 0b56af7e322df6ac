// docs/concepts.md tables against the protocol package: the errors table lists exactly the error
// codes of ERROR_STATUS (same order, same HTTP status), and the limits table names every limit.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as protocol from '@openkbs-pulse/protocol';
import { ERROR_CODES, ERROR_STATUS } from '@openkbs-pulse/protocol';

const concepts = readFileSync(fileURLToPath(new URL('../docs/concepts.md', import.meta.url)), 'utf8');

/** The rows of the markdown table that follows `heading`, as cells. */
function table(heading: string): string[][] {
  const lines = concepts.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
  }
  return rows.slice(2); // header and separator
}

describe('docs/concepts.md', () => {
  it('errors table: every ErrorCode, in order, with its HTTP status', () => {
    const rows = table('## Errors');
    expect(rows.map((row) => row[0]!.replace(/`/g, ''))).toEqual([...ERROR_CODES]);
    for (const [code, http] of rows.map((row) => [row[0]!.replace(/`/g, ''), row[1]!] as const)) {
      const status = ERROR_STATUS[code as keyof typeof ERROR_STATUS];
      expect(http, code).toBe(status === 0 ? '–' : status === 500 ? '5xx' : String(status));
    }
  });

  it('limits table: every limit constant of the protocol package', () => {
    const named = table('## Limits').map((row) => row[2]!.replace(/`/g, ''));
    const limits = Object.keys(protocol).filter((name) => /^(MAX_[A-Z_]+|CONNECTION_TTL_MS|RECONNECT_DELAYS_MS)$/.test(name));
    expect(limits).toContain('MAX_NESTING_DEPTH');
    expect([...named].sort()).toEqual([...limits].sort());
  });
});
