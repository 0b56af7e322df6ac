// Docs snippet tests: the code blocks of docs/*.md that a test runs verbatim. A test file holds the
// snippet between `// docs:start` and `// docs:end` lines; docSnippet/testRegion read both sides so
// that a test can check they are the same text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The first ```ts block after `heading` (a markdown heading line, e.g. '## A complete test') in docs/`file`. */
export function docSnippet(file: string, heading: string): string {
  const text = readFileSync(`${root}docs/${file}`, 'utf8');
  const at = text.split('\n').findIndex((line) => line.trim() === heading);
  if (at < 0) throw new Error(`docs/${file} has no heading "${heading}"`);
  const rest = text.split('\n').slice(at + 1).join('\n');
  const block = /```ts\n([\s\S]*?)```/.exec(rest);
  if (!block) throw new Error(`docs/${file}: no ts block after "${heading}"`);
  return block[1]!.trimEnd();
}

/** The lines between `// docs:start` and `// docs:end` of the file at `url`. */
export function testRegion(url: string): string {
  const text = readFileSync(fileURLToPath(url), 'utf8');
  const start = text.indexOf('// docs:start\n');
  const end = text.indexOf('// docs:end');
  if (start < 0 || end < start) throw new Error(`${url}: no // docs:start … // docs:end region`);
  return text.slice(start + '// docs:start\n'.length, end).trimEnd();
}
