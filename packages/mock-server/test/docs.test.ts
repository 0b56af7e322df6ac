import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** docs/*.md, examples/* /README.md and packages/* /README.md. */
function markdownFiles(): string[] {
  const files = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name));
  for (const folder of ['examples', 'packages']) {
    for (const name of readdirSync(join(root, folder))) {
      const readme = join(folder, name, 'README.md');
      if (existsSync(join(root, readme))) files.push(readme);
    }
  }
  return files;
}

describe('docs run pulse-local from our package', () => {
  it('never say `npx pulse-local` (it would fetch an unrelated npm package of that name)', () => {
    const files = markdownFiles();
    expect(files).toContain(join('docs', 'testing.md'));
    expect(files).toContain(join('packages', 'mock-server', 'README.md'));
    const offending = files.flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .map((line, index) => ({ file, line: index + 1, text: line }))
        .filter(({ text }) => /\bnpx\s+(?:--?\w[\w-]*\s+)*pulse-local\b/.test(text)),
    );
    expect(offending).toEqual([]);
  });
});
