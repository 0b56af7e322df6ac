// A flag value the service refuses (an --allowed-origins entry that is no origin, an empty
// --kb-id) ended pulse-local with exit 1, as a crash does, and a message naming the API option
// (allowedOrigins, kbId) rather than the flag. It is a usage error: exit 2, naming the flag and
// what the service said, as the flags pulse-local checks itself are.
import { beforeAll, expect, it } from 'vitest';
import { buildPulseLocal, runPulseLocal } from './pulse-local-bin.js';

beforeAll(buildPulseLocal, 120_000);

const run = runPulseLocal;

it.each([
  [['--allowed-origins=app.example'], '--allowed-origins', /allowedOrigins: "app\.example"/],
  [['--kb-id='], '--kb-id', /kbId must be a non-empty string/],
])('%j is a usage error: exit 2 naming the flag', async (args, flag, said) => {
  const { code, err } = await run(['--json', ...args]);
  expect(code).toBe(2);
  expect(err).toMatch(new RegExp(`^pulse-local: ${flag}: `));
  expect(err).toMatch(said);
});
