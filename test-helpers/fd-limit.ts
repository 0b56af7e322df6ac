// The open-file (fd) limit of this process, for the scale tests: each loopback WebSocket costs one
// fd in the process that holds it, so a run with too low a limit fails with EMFILE half-way, which
// reads like a product bug. Check first and fail with what to do.
import { execFileSync } from 'node:child_process';

/** The soft open-file limit (`ulimit -n`) of this process, as a child shell inherits it; Infinity for "unlimited". */
export function openFileLimit(run: () => string = () => execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' })): number {
  const text = run().trim();
  if (text === 'unlimited') return Infinity;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit <= 0) throw new Error(`could not read the open-file limit: \`ulimit -n\` printed ${JSON.stringify(text)}`);
  return limit;
}

/** Open files `connections` sockets need in one process, with room for the runtime's own (modules, pipes, the service's listener). */
export function filesNeeded(connections: number): number {
  return connections + 1_000;
}

/** Throws a clear Error when `limit` is below what `connections` sockets in one process need. */
export function assertFdLimit(connections: number, limit: number = openFileLimit()): void {
  const needed = filesNeeded(connections);
  if (limit >= needed) return;
  throw new Error(
    `the open-file limit (ulimit -n) is ${limit}, but ${connections.toLocaleString('en-US')} connections need at least ` +
      `${needed.toLocaleString('en-US')} open files per process (the test process and the service process each hold one end ` +
      `of every connection). Raise it before running the scale tests, e.g. \`ulimit -n ${Math.max(needed, 20_000)}\`.`,
  );
}
