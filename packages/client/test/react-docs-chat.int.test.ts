// docs/react.md's code, verbatim: the 30-line chat is type-checked and run (two users against the
// local service, in a happy-dom document, see each other online and each other's messages), and
// the Next.js snippets are type-checked. A docs change that breaks them fails here.
import { closeDomWindow } from './react-dom-globals.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { act, cleanup, fireEvent, render, waitFor, within } from '@testing-library/react';
import { transform } from 'esbuild';
import { createElement as h, type ComponentType } from 'react';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from './int-helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// Beside the tests, so that `react` and `openkbs-pulse/react` resolve as they do for the tests (.tmp/ is git-ignored).
const tmp = fileURLToPath(new URL('./.tmp/', import.meta.url));
const doc = readFileSync(`${root}docs/react.md`, 'utf8');

/** The `lang` code blocks of docs/react.md after `heading`, up to the next `## ` heading. */
function blocks(heading: string, lang: 'ts' | 'tsx'): string[] {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/react.md has no heading "${heading}"`);
  const end = doc.indexOf('\n## ', start + heading.length + 2);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

const CHAT = blocks('## A chat with presence, in 30 lines', 'tsx')[0]!;

/** Type-checks files (name -> source) as a strict React app importing openkbs-pulse from source. */
function typeErrors(files: Record<string, string>): string[] {
  mkdirSync(tmp, { recursive: true });
  const names = Object.entries(files).map(([name, text]) => {
    writeFileSync(`${tmp}${name}`, text);
    return `${tmp}${name}`;
  });
  const program = ts.createProgram(names, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    jsx: ts.JsxEmit.ReactJSX,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    baseUrl: root,
    paths: {
      'openkbs-pulse': ['packages/client/src/index.ts'],
      'openkbs-pulse/react': ['packages/client/src/react/index.ts'],
      'openkbs-pulse/server': ['packages/client/src/server.ts'],
      '@openkbs-pulse/protocol': ['packages/protocol/src/index.ts'],
      '@openkbs-pulse/server': ['packages/server/src/index.ts'],
    },
  });
  // Only the snippets' own diagnostics: checking every file they import would take far longer.
  return names
    .map((name) => program.getSourceFile(name)!)
    .flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)])
    .map((d) => `${d.file?.fileName.slice(tmp.length) ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

let service: PulseService;
const realFetch = globalThis.fetch;
beforeAll(async () => {
  service = await createPulseService({ host: '127.0.0.1' });
  // The docs' token route, answered by the local service.
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const user = /^\/api\/pulse-token\?user=(\w+)$/.exec(url)?.[1];
    if (!user) return realFetch(input, init);
    return Response.json({ kbId: service.kbId, token: await tokenFor(service, user), endpoint: service.wsUrl });
  }) as typeof fetch;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  cleanup();
  await service.close();
  await closeDomWindow();
});

describe('docs/react.md', () => {
  it('the chat is at most 30 lines and type-checks; the Next.js snippets type-check', () => {
    expect(CHAT.trimEnd().split('\n').length).toBeLessThanOrEqual(30);
    const [route] = blocks('## Next.js', 'ts');
    const [providers] = blocks('## Next.js', 'tsx');
    expect(typeErrors({ 'chat.tsx': CHAT, 'route.ts': route!, 'providers.tsx': providers! })).toEqual([]);
  }, 120_000); // a TypeScript program over the client's sources, React's and Node's types

  it('the chat runs: two users see each other online and each other messages', async () => {
    const { code } = await transform(CHAT, { loader: 'tsx', jsx: 'automatic', format: 'esm' });
    mkdirSync(tmp, { recursive: true });
    writeFileSync(`${tmp}chat-run.mjs`, code);
    const { App } = (await import(/* @vite-ignore */ pathToFileURL(`${tmp}chat-run.mjs`).href)) as { App: ComponentType<{ user: string }> };

    const ada = render(h(App, { user: 'ada' }));
    const bob = render(h(App, { user: 'bob' }));
    for (const view of [ada, bob]) {
      await waitFor(() => expect(view.container.querySelector('.who')?.textContent).toMatch(/^connected: 2 online \((ada, bob|bob, ada)\)$/));
    }
    const input = within(ada.container).getByLabelText('Message') as HTMLInputElement;
    act(() => void fireEvent.change(input, { target: { value: 'hello bob' } }));
    act(() => void fireEvent.submit(input.form!));
    for (const view of [ada, bob]) {
      await waitFor(() => expect(view.container.querySelector('li')?.textContent).toBe('ada: hello bob'));
    }
    await waitFor(() => expect(input.value).toBe(''));
    bob.unmount();
    await waitFor(() => expect(ada.container.querySelector('.who')?.textContent).toBe('connected: 1 online (ada)'));
  });
});
