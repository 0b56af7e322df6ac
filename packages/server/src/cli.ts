/**
 * The `openkbs-pulse` bin: `openkbs-pulse <status|channels|presence|publish|token|enable|disable> [options]`, the tutorial's `openkbs pulse ...` commands with the same arguments.
 * @module
 */
import { runCli } from './cli-run.js';

let stderrOpen = true;

/**
 * A reader that stops early (`openkbs-pulse channels | head -1`) closes the pipe, and the next
 * write fails with EPIPE: an 'error' event nobody listened to crashed the CLI with a stack trace.
 * As other CLIs do, it ends quietly instead: exit 0 when stdout's reader left (it had what it
 * wanted), and once stderr's reader left, errors are no longer written. Any other write error
 * (a full disk) is one line on stderr, exit 1.
 */
function onWriteError(stream: 'stdout' | 'stderr') {
  return (error: Error & { code?: string }): void => {
    if (stream === 'stderr') stderrOpen = false;
    if (error.code === 'EPIPE') {
      if (stream === 'stdout') process.exit(0);
      return;
    }
    if (stderrOpen) process.stderr.write(`openkbs-pulse: cannot write to ${stream}: ${error.code ?? error.message}\n`);
    process.exit(1);
  };
}

process.stdout.on('error', onWriteError('stdout'));
process.stderr.on('error', onWriteError('stderr'));

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => void (stderrOpen && process.stderr.write(text)),
});
process.exitCode = code;
