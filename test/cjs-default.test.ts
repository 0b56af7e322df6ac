// scripts/lib/cjs-default.mjs: the .d.cts of a `cjsDefault` entry (rollup-plugin-dts output, ES
// export lists) rewritten to `export =` of the default class merged with a namespace of the named
// exports. The result is type-checked as a CommonJS consumer sees it.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript script library
import { toExportEquals } from '../scripts/lib/cjs-default.mjs';

const rewrite = toExportEquals as (code: string, fileName: string) => string;

/** A bundle shaped like rollup-plugin-dts output: the default class has a static that is also a named export. */
const BUNDLE = `import { Dep } from 'dep';
interface Options { id: string }
/** The other face. */
declare class Face { face: true }
declare const LIMIT: number;
declare class Main<E = string> {
  constructor(options: Options);
  events: E;
  dep: Dep;
  /** Same object as the named export. */
  static Face: typeof Face;
  static other: number;
}

export { Dep, depValue } from 'dep';
export { Face, LIMIT, Main, Main as default };
export type { Options };
`;

const DEP = `export interface Dep { dep: true }\nexport declare const depValue: number;\n`;

/** Type-checks `consumer` (a .cts) against the rewritten bundle, in memory. */
function diagnostics(dcts: string, consumer: string): string[] {
  const files = new Map([
    ['/p/node_modules/pkg/index.d.cts', dcts],
    ['/p/node_modules/pkg/package.json', JSON.stringify({ name: 'pkg', types: './index.d.cts' })],
    ['/p/node_modules/dep/index.d.ts', DEP],
    ['/p/node_modules/dep/package.json', JSON.stringify({ name: 'dep', types: './index.d.ts' })],
    ['/p/consumer.cts', consumer],
  ]);
  const options: ts.CompilerOptions = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, strict: true, noEmit: true, types: [], lib: ['lib.es5.d.ts'] };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files.get(name) ?? read(name);
  host.fileExists = (name) => files.has(name) || exists(name);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (name) => [...files.keys()].some((file) => file.startsWith(`${name}/`)) || (directoryExists?.(name) ?? false);
  host.getSourceFile = (name, version, ...rest) =>
    files.has(name) ? ts.createSourceFile(name, files.get(name)!, version, true) : getSourceFile(name, version, ...rest);
  const program = ts.createProgram(['/p/consumer.cts'], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('toExportEquals (scripts/lib/cjs-default.mjs)', () => {
  it('gives CommonJS consumers the class itself, its named exports (values and types) as members, and default', () => {
    const dcts = rewrite(BUNDLE, 'index.d.cts');
    expect(dcts).toMatch(/\nexport = Main;\n$/);
    expect(dcts).not.toMatch(/static Face/); // the namespace member `Face` replaces it
    const consumer = `import Main = require('pkg');
import Default, { Face, LIMIT, type Options } from 'pkg';
const options: Main.Options = { id: 'x' } satisfies Options;
const main: Main<number> = new Main<number>(options);
const same: Main.Main<number> = main;
const viaDefault: InstanceType<typeof Main.default> = new Default(options);
const face: Main.Face = new Main.Face();
const alsoFace: Face = new Face();
const limit: number = Main.LIMIT + LIMIT + Main.depValue + Main.other;
const dep: Main.Dep = main.dep;
void [same, viaDefault, face, alsoFace, limit, dep];
`;
    expect(diagnostics(dcts, consumer)).toEqual([]);
  }, 60_000); // TypeScript programs

  it('the same consumer does not compile against the ES export lists (the bug it fixes)', () => {
    expect(diagnostics(BUNDLE, `import Main = require('pkg');\nnew Main({ id: 'x' });\n`).join('\n')).toMatch(/not constructable/);
  }, 60_000);

  it('accepts a static that is `typeof` a name re-exported from another module, imported from that same module', () => {
    const bundle = BUNDLE.replace("import { Dep } from 'dep';", "import { Dep, depValue } from 'dep';").replace('static other: number;', 'static other: number;\n  static depValue: typeof depValue;');
    const dcts = rewrite(bundle, 'index.d.cts');
    expect(diagnostics(dcts, `import Main = require('pkg');\nconst n: number = Main.depValue;\nexport = n;\n`)).toEqual([]);
    const elsewhere = bundle.replace("import { Dep, depValue } from 'dep';", "import { Dep } from 'dep';\nimport { depValue } from 'other';");
    expect(() => rewrite(elsewhere, 'x.d.cts')).toThrow(/`Main\.depValue` is not `typeof` the named export/);
  });

  it('refuses what a namespace cannot express, naming the file', () => {
    expect(() => rewrite(`${BUNDLE}export * from 'dep';\n`, 'x.d.cts')).toThrow(/x\.d\.cts: .*export \*/);
    expect(() => rewrite(BUNDLE.replace('static Face: typeof Face', 'static Face: number'), 'x.d.cts')).toThrow(/`Main\.Face` is not `typeof` the named export/);
    expect(() => rewrite(BUNDLE.replace('Main as default', 'LIMIT as default'), 'x.d.cts')).toThrow(/`LIMIT` is not a class or function/);
  });
});
