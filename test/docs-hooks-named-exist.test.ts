// An outside review found: docs/migrating.md's checklist says "In React, replace hand-written
// socket classes with one client per component tree; see the `usePulse` hook in
// `examples/photo-gallery`". There is no `usePulse`: not in `openkbs-pulse/react` (whose hooks
// are PulseProvider, useChannel, usePresence, ...), not in examples/photo-gallery, nowhere in the
// repository. A reader migrating the seed's React gallery looks for a hook that does not exist.
//
// Every hook a page names in backticks must be an export of openkbs-pulse/react, one of React's
// own hooks, or a hook the page defines in its own code.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as hooks from 'openkbs-pulse/react';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// React is a dependency of the client package (its react/ bindings), not of the root.
const React = createRequire(join(root, 'packages/client/package.json'))('react') as object;

function pages(): string[] {
  const files = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  files.push('README.md');
  for (const dir of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, dir))) if (existsSync(join(root, dir, name, 'README.md'))) files.push(`${dir}/${name}/README.md`);
  }
  return files;
}

/** The hooks a page names in backticks (`useX`, `useX(...)`). */
const namedHooks = (text: string) => [...new Set([...text.matchAll(/`(use[A-Z]\w*)\b[^`]*`/g)].map((m) => m[1]!))];

/** The hooks a page's own code defines (`function useChat(`, `const useChat =`). */
const definedHooks = (text: string) => new Set([...text.matchAll(/(?:function\s+|const\s+)(use[A-Z]\w*)/g)].map((m) => m[1]!));

describe('hooks named by the docs exist', () => {
  it.each(pages())('%s', (path) => {
    const text = readFileSync(join(root, path), 'utf8');
    const defined = definedHooks(text);
    const missing = namedHooks(text).filter((name) => !(name in hooks) && !(name in React) && !defined.has(name));
    expect(missing).toEqual([]);
  });
});
