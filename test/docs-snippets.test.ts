// Every TypeScript/JavaScript code block of docs/*.md and the READMEs compiles against the
// packages' sources (the runnable ones also run: docs-testing-*.int.test.ts, readme.int.test.ts).
// A block is compiled as a module of its own, with the names its page gives it from
// test/fixtures/doc-snippet-globals.d.ts.txt; a block marked `<!-- snippet: not compiled -->` on the
// line before it is skipped (shell sessions shown as code, pseudo-code).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** docs/*.md, the API reference's introduction, the root README and each package's README. */
function markdownFiles(): string[] {
  const files = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  files.push('docs/reference/introduction.md', 'README.md');
  for (const name of readdirSync(join(root, 'packages'))) {
    if (existsSync(join(root, 'packages', name, 'README.md'))) files.push(`packages/${name}/README.md`);
  }
  return files;
}

interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
}

const FENCE = /^```(ts|tsx|js|typescript|javascript)\s*$/;

function blocks(): Block[] {
  const out: Block[] = [];
  for (const file of markdownFiles()) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = FENCE.exec(lines[i]!);
      if (!open) continue;
      const end = lines.indexOf('```', i + 1);
      if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`);
      if (!/<!-- snippet: not compiled -->/.test(lines[i - 1] ?? '')) {
        out.push({ file, line: i + 1, lang: open[1]!, code: lines.slice(i + 1, end).join('\n') });
      }
      i = end;
    }
  }
  return out;
}

/** Compiles every block; returns the diagnostics of each, as `file:line: message`. */
function compile(all: readonly Block[]): Map<Block, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('cannot read tsconfig.json');
  // React is a dependency of the client package (its react/ bindings), not of the root.
  const react = (path: string) => join(root, 'packages', 'client', 'node_modules', path);
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    noUnusedLocals: false,
    jsx: ts.JsxEmit.ReactJSX,
    allowJs: true,
    checkJs: true,
    paths: { ...config.options.paths, react: [react('@types/react')], 'react/jsx-runtime': [react('@types/react/jsx-runtime')] },
  };
  const virtual = new Map<string, Block>();
  const sources = new Map<string, string>();
  all.forEach((block, index) => {
    // JavaScript blocks are checked as JavaScript (checkJs): types from JSDoc and inference.
    const ext = block.lang === 'tsx' ? 'tsx' : block.lang === 'js' || block.lang === 'javascript' ? 'mjs' : 'ts';
    const path = join(root, 'test', '.doc-snippets', `snippet-${index}.${ext}`);
    virtual.set(path, block);
    // `export {}` makes each block a module: its own names shadow the page globals.
    sources.set(path, `${block.code}\nexport {};\n`);
  });
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => {
    const text = sources.get(name);
    return text === undefined ? getSourceFile(name, language) : ts.createSourceFile(name, text, language, true);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => sources.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => sources.get(name) ?? readFile(name);
  // Stored as .txt so that the project's own tsc does not see these globals (they would hide a
  // missing variable in any test file); compiled here under a .d.ts name.
  const globals = join(root, 'test', '.doc-snippets', 'globals.d.ts');
  sources.set(globals, readFileSync(join(root, 'test', 'fixtures', 'doc-snippet-globals.d.ts.txt'), 'utf8'));
  const program = ts.createProgram([...virtual.keys(), globals], options, host);
  const result = new Map<Block, string[]>();
  for (const [path, block] of virtual) {
    const source = program.getSourceFile(path)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    result.set(
      block,
      diagnostics.map((d) => {
        const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line + 1;
        return `${block.file}:${block.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
  }
  return result;
}

describe('code blocks of the docs and READMEs', () => {
  it('finds the blocks of every page', () => {
    const files = new Set(blocks().map((b) => b.file));
    for (const file of ['docs/getting-started.md', 'docs/concepts.md', 'docs/testing.md', 'packages/client/README.md', 'README.md']) {
      expect(files).toContain(file);
    }
  });

  it('every block compiles', { timeout: 120_000 }, () => {
    const problems = [...compile(blocks()).values()].flat();
    expect(problems).toEqual([]);
  });
});
