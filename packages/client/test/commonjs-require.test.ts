// `const Pulse = require('openkbs-pulse'); new Pulse(...)`: the CommonJS build is the Pulse class
// itself with every named export of src/index.ts as a property, and dist/index.d.cts says so
// (`export =`). Reads dist/: run `corepack pnpm --filter openkbs-pulse build` first.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { makeToken } from './helpers.js';

const file = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const CJS = file('dist/index.cjs');
const DCTS = file('dist/index.d.cts');
const PROTOCOL_DCTS = file('../protocol/dist/index.d.cts');
const built = [CJS, DCTS, file('dist/index.mjs'), PROTOCOL_DCTS].every((path) => existsSync(path));
if (!built) console.warn('[openkbs-pulse] dist not built: run `corepack pnpm build` (the root test command builds first)');

type Cjs = typeof api.Pulse & Record<string, unknown>;
const load = (): Cjs => createRequire(import.meta.url)(CJS) as Cjs;
/** The names src/index.ts exports at run time (ESM namespace keys). */
const NAMES = Object.keys(api).sort();

describe.skipIf(!built)('require("openkbs-pulse") (dist/index.cjs)', () => {
  it('is the Pulse class itself, so `new (require("openkbs-pulse"))(options)` works', () => {
    const Pulse = load();
    expect(typeof Pulse).toBe('function');
    expect(Pulse.name).toBe('Pulse');
    const pulse = new Pulse({ kbId: 'kb', token: makeToken({ exp: Math.floor(Date.now() / 1000) + 3600 }), autoConnect: false });
    expect(pulse).toBeInstanceOf(Pulse);
    expect(pulse.state).toBe('disconnected');
    pulse.disconnect();
  });

  it('carries every named export of src/index.ts, `default` and `Pulse` being the class', () => {
    const Pulse = load();
    expect(NAMES).toContain('default');
    for (const name of NAMES) {
      expect(Object.hasOwn(Pulse, name), `require('openkbs-pulse').${name}`).toBe(true);
      expect(typeof Pulse[name], name).toBe(typeof (api as Record<string, unknown>)[name]);
    }
    expect(Pulse.default).toBe(Pulse);
    expect(Pulse.Pulse).toBe(Pulse);
  });

  it('re-exports the same objects as the packages it depends on (instanceof works across them)', () => {
    const Pulse = load();
    const protocol = createRequire(CJS)('@openkbs-pulse/protocol') as Record<string, unknown>;
    for (const name of ['PulseError', 'isPulseError', 'ERROR_STATUS', 'MAX_MESSAGE_BYTES']) expect(Pulse[name], name).toBe(protocol[name]);
  });

  it('has the same names as the ES build (dist/index.mjs)', async () => {
    const esm = (await import(file('dist/index.mjs'))) as Record<string, unknown>;
    expect(Object.keys(esm).sort()).toEqual(NAMES);
  });
});

describe.skipIf(!built)('dist/index.d.cts', () => {
  /** name -> [is a value, is a type] of each export, aliases followed. */
  function meanings(checker: ts.TypeChecker, exports: ts.Symbol[]): Map<string, [boolean, boolean]> {
    return new Map(
      exports.map((symbol) => {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        return [symbol.name, [(target.flags & ts.SymbolFlags.Value) !== 0, (target.flags & ts.SymbolFlags.Type) !== 0]];
      }),
    );
  }

  it('is `export =` of the class, and every export of src/index.ts (values and types) is a member of it', () => {
    const options = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, strict: true, noEmit: true, types: [] };
    const program = ts.createProgram([file('src/index.ts'), DCTS], options);
    const checker = program.getTypeChecker();
    const dcts = program.getSourceFile(DCTS)!;
    expect(program.getSemanticDiagnostics(dcts).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    expect(dcts.statements.some((s) => ts.isExportAssignment(s) && s.isExportEquals)).toBe(true);

    const source = meanings(checker, checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file('src/index.ts'))!)!));
    const cjs = meanings(checker, checker.getExportsOfModule(checker.getSymbolAtLocation(dcts)!));
    expect(source.size).toBeGreaterThan(NAMES.length); // the types are there too
    for (const [name, meaning] of source) expect(cjs.get(name), name).toEqual(meaning);
  }, 60_000); // a TypeScript program over the client's sources
});

// Found by an outside review: the script tag's global `Pulse` and the CommonJS build have
// `Pulse.PulseError` and `Pulse.isPulseError`; the ES default export did not, so code moved
// from a script tag to `import Pulse from 'openkbs-pulse'` broke.
describe('the default export (ES build)', () => {
  it('carries Realtime, PulseError and isPulseError, as the script tag\'s global does', () => {
    const Pulse = api.default;
    expect(Pulse.Realtime).toBe(api.Realtime);
    expect(Pulse.PulseError).toBe(api.PulseError);
    expect(Pulse.isPulseError).toBe(api.isPulseError);
    expect(Pulse.isPulseError(new Pulse.PulseError('timeout', 'x'))).toBe(true);
  });
});
