// An outside review found: pulse-local read --port with Number() (cli.ts main: `Number(values.port)`),
// so an empty or blank value was 0, "any free port", and hex or exponent spellings were accepted:
// `pulse-local --port="$PULSE_PORT"` with the variable unset started on a random port instead of
// failing, and `--port=0x50` listened on port 80. The --max-* flags took `1e3` the same way. Only
// decimal digits are read now; anything else is exit 2 with "--port must be an integer from 0 to 65535".
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPulseLocal, runPulseLocal } from './pulse-local-bin.js';

beforeAll(buildPulseLocal, 120_000);

const run = runPulseLocal;

describe('pulse-local --port', () => {
  it('refuses a port that is not an integer (control: the existing rule)', async () => {
    expect((await run(['--json', '--port=abc'])).code).toBe(2);
  });

  it.each([['--port='], ['--port= '], ['--port=0x0'], ['--port=0x50'], ['--port=1e3'], ['--port=+80']])(
    '%s is a usage error (exit 2), not a service on some port',
    async (arg) => {
      const result = await run(['--json', arg]);
      expect(result.code, result.out).toBe(2);
      expect(result.out).toContain('--port must be an integer from 0 to 65535');
    },
  );

  it.each([['--max-subscriptions=1e3'], ['--max-presence=0x10'], ['--max-frame-burst=']])('%s is a usage error (exit 2)', async (arg) => {
    const result = await run(['--json', arg]);
    expect(result.code, result.out).toBe(2);
    expect(result.out).toContain('must be a positive integer');
  });

  it('--port=0 (any free port) still starts the service', async () => {
    const result = await run(['--json', '--port=0', '--max-subscriptions=1000']);
    expect(result.code, result.out).toBeNull();
    expect(result.out).toContain('"wsUrl":"ws://127.0.0.1:');
  });
}, 30_000);
