/**
 * The `openkbs-pulse` bin: `openkbs-pulse <status|channels|presence|publish|token|enable|disable> [options]`.
 * @module
 */
import { runCli } from './cli-run.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;
