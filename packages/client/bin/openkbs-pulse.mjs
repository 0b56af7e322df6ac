#!/usr/bin/env node
// Committed launcher: `npx openkbs-pulse` from the openkbs-pulse package runs the CLI of the
// server SDK (a dependency), the same program as @openkbs-pulse/server's own bin. The server
// package exports no untyped ./cli subpath (attw would flag it), so the launcher finds its bin
// through the exported package.json.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const pkg = createRequire(import.meta.url).resolve('@openkbs-pulse/server/package.json');
await import(pathToFileURL(join(dirname(pkg), 'dist', 'cli.mjs')).href);
