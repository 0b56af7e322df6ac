/**
 * The `openkbs-pulse` bin: `openkbs-pulse <status|channels|presence|publish|token|enable|disable> [options]`, the tutorial's `openkbs pulse ...` commands with the same arguments.
 * @module
 */
import { runCli } from './cli-run.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;
