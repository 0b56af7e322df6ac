import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import workspace packages from source, so no build is needed to run them
// (only the CLI, bundle and packaging tests read dist/).
const alias = [
  { find: /^@openkbs-pulse\/protocol$/, replacement: source('./packages/protocol/src/index.ts') },
  { find: /^@openkbs-pulse\/mock-server$/, replacement: source('./packages/mock-server/src/index.ts') },
  { find: /^@openkbs-pulse\/server$/, replacement: source('./packages/server/src/index.ts') },
  { find: /^openkbs-pulse\/server$/, replacement: source('./packages/client/src/server.ts') },
  { find: /^openkbs-pulse\/react$/, replacement: source('./packages/client/src/react/index.ts') },
  { find: /^openkbs-pulse$/, replacement: source('./packages/client/src/index.ts') },
  // The server SDK's import map (packages/server/package.json "imports") as Node resolves it.
  { find: /^#undici$/, replacement: source('./packages/server/src/undici-node.ts') },
];

const slow = ['**/*.browser.test.ts', '**/*.scale.test.ts', 'test/runtimes/**', '**/node_modules/**', '**/dist/**'];
// Firefox and WebKit run the cross-browser suite in projects of their own (scripts/test.mjs times each).
const otherBrowsers = ['test/browsers/firefox.browser.test.ts', 'test/browsers/webkit.browser.test.ts'];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...slow, '**/*.int.test.ts'],
        },
      },
      {
        // The client's behaviour suite again, against the built script-tag bundle (pulse.js).
        extends: true,
        resolve: {
          alias: [{ find: /^\.\.\/src\/index\.js$/, replacement: source('./test-helpers/pulse-js.ts') }, ...alias],
        },
        test: {
          name: 'pulse-js',
          include: ['packages/client/test/**/*.test.ts'],
          exclude: [...slow, '**/*.int.test.ts', '**/bundle.test.ts', '**/types.test.ts', '**/react*.test.ts*', '**/commonjs*.test.ts', '**/server-subpath.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.int.test.ts', 'examples/*/test/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          exclude: slow,
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['**/*.browser.test.ts'],
          exclude: [...otherBrowsers, '**/node_modules/**', '**/dist/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      ...otherBrowsers.map((file) => ({
        extends: true as const,
        test: { name: file.split('/').pop()!.split('.')[0]!, include: [file], testTimeout: 60_000, hookTimeout: 60_000 },
      })),
      {
        extends: true,
        // Deno, Bun and workerd (Cloudflare Workers) running the built packages: test/runtimes/.
        test: { name: 'runtimes', include: ['test/runtimes/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'scale',
          include: ['**/*.scale.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
