// The public callables of each package (what its src/index.ts exports) and whether their TSDoc has
// an @example, read with the TypeScript compiler API so that the list follows the code.
import ts from 'typescript';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The entry point of each published package. */
export const PACKAGE_ENTRIES: Readonly<Record<string, string>> = {
  'openkbs-pulse': 'packages/client/src/index.ts',
  'openkbs-pulse/react': 'packages/client/src/react/index.ts',
  '@openkbs-pulse/server': 'packages/server/src/index.ts',
  '@openkbs-pulse/protocol': 'packages/protocol/src/index.ts',
  '@openkbs-pulse/mock-server': 'packages/mock-server/src/index.ts',
};

/** A callable users reach through a package's exports. */
export interface PublicCallable {
  /** `package: Name` or `package: Name.method`. */
  name: string;
  /** Where it is declared, `path:line`. */
  where: string;
  hasExample: boolean;
  /** Parameters without a `@param` description. */
  undocumentedParams: string[];
}

const hasTag = (node: ts.Node, tag: string) => ts.getJSDocTags(node).some((t) => t.tagName.text === tag);

function isPublicMember(member: ts.Node): boolean {
  const flags = ts.getCombinedModifierFlags(member as ts.Declaration);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  const name = (member as ts.NamedDeclaration).name;
  if (name && (ts.isPrivateIdentifier(name) || name.getText().startsWith('_'))) return false;
  return !hasTag(member, 'internal');
}

/** The callables declared by `declarations` (all the overloads of one symbol count as one). */
function describe(label: string, declarations: readonly ts.Declaration[]): PublicCallable {
  const first = declarations[0]!;
  const source = first.getSourceFile();
  const line = source.getLineAndCharacterOfPosition(first.getStart()).line + 1;
  const documented = new Set<string>();
  const params = new Set<string>();
  for (const declaration of declarations) {
    for (const tag of ts.getJSDocTags(declaration)) {
      if (ts.isJSDocParameterTag(tag) && tag.comment) documented.add(tag.name.getText());
    }
    // With overloads, the implementation's signature is not public: the overloads are.
    const overloaded = declarations.length > 1 && ts.isFunctionLike(declaration) && 'body' in declaration && declaration.body !== undefined;
    if (ts.isFunctionLike(declaration) && !overloaded) {
      for (const param of declaration.parameters) if (ts.isIdentifier(param.name)) params.add(param.name.text);
    }
  }
  return {
    name: label,
    where: `${source.fileName.slice(root.length)}:${line}`,
    hasExample: declarations.some((d) => hasTag(d, 'example')),
    undocumentedParams: [...params].filter((p) => !documented.has(p)),
  };
}

/** Every exported function and class, and the public methods of exported classes and interfaces. */
export function publicCallables(): PublicCallable[] {
  const entries = Object.values(PACKAGE_ENTRIES).map((path) => `${root}${path}`);
  const config = ts.getParsedCommandLineOfConfigFile(`${root}tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const program = ts.createProgram(entries, config?.options ?? {});
  const checker = program.getTypeChecker();
  const out: PublicCallable[] = [];
  for (const [pkg, path] of Object.entries(PACKAGE_ENTRIES)) {
    const file = program.getSourceFile(`${root}${path}`);
    const module = file && checker.getSymbolAtLocation(file);
    if (!module) throw new Error(`cannot read ${path}`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = symbol.declarations ?? [];
      const label = `${pkg}: ${exported.name}`;
      const functions = declarations.filter((d) => ts.isFunctionDeclaration(d));
      if (functions.length > 0 && !functions.some((d) => hasTag(d, 'internal'))) out.push(describe(label, functions));
      for (const declaration of declarations) {
        if (!(ts.isClassDeclaration(declaration) || ts.isInterfaceDeclaration(declaration))) continue;
        if (hasTag(declaration, 'internal')) continue;
        if (ts.isClassDeclaration(declaration)) out.push(describe(label, [declaration]));
      }
      if (!declarations.some((d) => (ts.isClassDeclaration(d) || ts.isInterfaceDeclaration(d)) && !hasTag(d, 'internal'))) continue;
      // Inherited methods too: the exported Pulse class gets channel() from the class it extends.
      for (const property of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
        // Methods inherited from a dependency (EventEmitter's on/off) are documented there.
        const members = (property.declarations ?? []).filter(
          (d) => (ts.isMethodDeclaration(d) || ts.isMethodSignature(d)) && isPublicMember(d) && !program.isSourceFileFromExternalLibrary(d.getSourceFile()) && !d.getSourceFile().fileName.includes('/node_modules/'),
        );
        if (members.length > 0) out.push(describe(`${label}.${property.name}`, members));
      }
    }
  }
  return out;
}
