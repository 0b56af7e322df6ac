// CommonJS entries whose `module.exports` is their default export, carrying every named export as
// a property: `const Pulse = require('openkbs-pulse'); new Pulse(...)` and
// `require('openkbs-pulse').Realtime` both work. Rollup's CJS output of an ES entry with named
// exports is a namespace object (`exports.default = Pulse`), which a CJS user cannot `new`.
//   - cjsDefaultEntry(): the JS side, a virtual entry `module.exports = Object.assign(default, named)`;
//   - dtsExportEquals(): the types side, rewrites the .d.cts that rollup-plugin-dts bundled (ES
//     export lists, which describe `exports.default`) into `export =` of the default, merged with a
//     namespace that re-exports every named export, values and types.
import ts from 'typescript';

const VIRTUAL = '\0cjs-default:';

/**
 * The virtual entry of the CJS build for `source`: its default export, with its named exports
 * assigned onto it. Build with `output.exports: 'default'` so that it becomes `module.exports`.
 * @param {string} source absolute path of the ES entry
 */
export const cjsDefaultId = (source) => VIRTUAL + source;

/** @returns {import('rollup').Plugin} */
export function cjsDefaultEntry() {
  return {
    name: 'cjs-default-entry',
    resolveId: (id) => (id.startsWith(VIRTUAL) ? id : null),
    load(id) {
      if (!id.startsWith(VIRTUAL)) return null;
      const source = JSON.stringify(id.slice(VIRTUAL.length));
      // Same objects as the named exports (no copies), so `require(pkg).X === require(pkg).default.X`.
      return `import * as api from ${source};\nexport default Object.assign(api.default, api);\n`;
    },
  };
}

/**
 * Output plugin of the ESM build: fails when a chunk is shared by a cjsDefault entry and another
 * entry. Their CJS builds are separate, so such code would exist twice in CommonJS (two classes,
 * `instanceof` failing across them).
 * @param {string[]} entries entry names
 * @returns {import('rollup').OutputPlugin}
 */
export function noSharedChunks(entries) {
  return {
    name: 'cjs-default-no-shared-chunks',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((file) => file.type === 'chunk');
      const reach = (chunk, seen = new Set()) => {
        for (const file of chunk.imports) {
          if (seen.has(file) || !(file in bundle)) continue;
          seen.add(file);
          reach(bundle[file], seen);
        }
        return seen;
      };
      const own = new Set(chunks.filter((c) => c.isEntry && entries.includes(c.name)).flatMap((c) => [...reach(c)]));
      for (const other of chunks.filter((c) => c.isEntry && !entries.includes(c.name))) {
        const shared = [...reach(other)].filter((file) => own.has(file));
        if (shared.length > 0) this.error(`${other.fileName} shares ${shared.join(', ')} with a cjsDefault entry (${entries.join(', ')}): import it by package name instead`);
      }
    },
  };
}

/**
 * Output plugin of the .d.cts build: rewrites the chunks of `entries` to `export =`.
 * @param {string[]} entries entry names
 * @returns {import('rollup').OutputPlugin}
 */
export function dtsExportEquals(entries) {
  return {
    name: 'dts-export-equals',
    renderChunk(code, chunk) {
      if (!chunk.isEntry || !entries.includes(chunk.name)) return null;
      return { code: toExportEquals(code, chunk.fileName), map: null };
    },
  };
}

/**
 * @param {string} code a declaration bundle with ES export lists (rollup-plugin-dts output)
 * @param {string} fileName for error messages
 */
export function toExportEquals(code, fileName) {
  const fail = (why) => {
    throw new Error(`${fileName}: cannot describe this entry as CommonJS \`export =\`: ${why}`);
  };
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  /** @type {{ start: number, end: number, text: string }[]} */
  const edits = [];
  /** @type {{ local: string, exported: string, typeOnly: boolean }[]} */
  const exports = [];
  const imports = [];
  const used = new Set(code.match(/[\w$]+/g));
  const fresh = (base) => {
    let name = `${base}$cjs`;
    for (let n = 2; used.has(name); n++) name = `${base}$cjs${n}`;
    used.add(name);
    return name;
  };

  for (const statement of source.statements) {
    if (ts.isExportAssignment(statement)) {
      if (statement.isExportEquals || !ts.isIdentifier(statement.expression)) fail('`export default` of an expression');
      exports.push({ local: statement.expression.text, exported: 'default', typeOnly: false });
      edits.push({ start: statement.getFullStart(), end: statement.end, text: '' });
    } else if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (!clause || !ts.isNamedExports(clause)) fail('`export *` cannot be listed in a namespace; export the names');
      const from = statement.moduleSpecifier?.getText(source);
      const aliases = [];
      for (const element of clause.elements) {
        const typeOnly = statement.isTypeOnly || element.isTypeOnly;
        const original = (element.propertyName ?? element.name).text;
        // A re-export from another module becomes an import under a fresh local name (the bundle
        // may already import the same name, e.g. for its own declarations).
        const local = from ? fresh(element.name.text) : original;
        if (from) aliases.push(`${typeOnly ? 'type ' : ''}${original} as ${local}`);
        exports.push({ local, exported: element.name.text, typeOnly, original, from });
      }
      if (from) imports.push(`import { ${aliases.join(', ')} } from ${from};`);
      edits.push({ start: statement.getFullStart(), end: statement.end, text: '' });
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      fail(`an \`export\` declaration (${statement.getText(source).slice(0, 60)}...); expected export lists`);
    }
  }

  const defaultLocal = exports.find((e) => e.exported === 'default')?.local ?? fail('no default export');
  const merged = source.statements.filter(
    (s) => (ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s)) && s.name?.text === defaultLocal,
  );
  if (merged.length === 0) fail(`the default export \`${defaultLocal}\` is not a class or function (a namespace cannot merge with it)`);

  // A static of the default class named like a named export (`static Realtime: typeof Realtime`)
  // would clash with the namespace member of that name; the namespace member carries the same
  // value (Object.assign at run time) and its type too, so the static is dropped.
  const named = new Map(exports.filter((e) => e.exported !== 'default').map((e) => [e.exported, e]));
  for (const declaration of merged.filter(ts.isClassDeclaration)) {
    for (const member of declaration.members) {
      const isStatic = ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
      const name = member.name && ts.isIdentifier(member.name) ? member.name.text : undefined;
      if (!isStatic || name === undefined || !named.has(name)) continue;
      const query = ts.isPropertyDeclaration(member) && member.type !== undefined && ts.isTypeQueryNode(member.type) ? member.type.exprName.getText(source) : undefined;
      const entry = named.get(name);
      // `typeof X` of the named export itself, or of the same name imported from the module it is re-exported from.
      const sameValue = query !== undefined && (query === entry.local || (entry.from !== undefined && query === entry.original && importsFrom(source, entry.original, entry.from)));
      if (!sameValue) fail(`the static \`${defaultLocal}.${name}\` is not \`typeof\` the named export \`${name}\``);
      edits.push({ start: member.getFullStart(), end: member.end, text: '' });
    }
  }

  // Inside `namespace Pulse`, the name `Pulse` is the namespace itself: reach the class by an alias.
  const self = fresh(defaultLocal);
  const specifiers = (typeOnly) =>
    exports
      .filter((e) => e.typeOnly === typeOnly)
      .map((e) => {
        const local = e.local === defaultLocal ? self : e.local;
        return local === e.exported ? local : `${local} as ${e.exported}`;
      });
  const values = specifiers(false);
  const types = specifiers(true);
  let out = code;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return [
    ...imports,
    out.trimEnd(),
    '',
    `import ${self} = ${defaultLocal};`,
    `declare namespace ${defaultLocal} {`,
    ...(values.length > 0 ? [`  export { ${values.join(', ')} };`] : []),
    ...(types.length > 0 ? [`  export type { ${types.join(', ')} };`] : []),
    '}',
    `export = ${defaultLocal};`,
    '',
  ].join('\n');
}

/** Whether `source` imports `name` (as itself) from the module written `from` (quotes included). */
function importsFrom(source, name, from) {
  return source.statements.some(
    (s) =>
      ts.isImportDeclaration(s) &&
      s.moduleSpecifier.getText(source) === from &&
      s.importClause?.namedBindings !== undefined &&
      ts.isNamedImports(s.importClause.namedBindings) &&
      s.importClause.namedBindings.elements.some((e) => e.name.text === name && (e.propertyName === undefined || e.propertyName.text === name)),
  );
}
