// The gallery server is total: arbitrary request lines, headers and bodies (upgrades included),
// over real sockets, never reach an uncaught exception or an unhandled rejection; its own routes
// answer bad input with a JSON 4xx, and a normal request still works after each one. Its Vite dev
// server serves this folder (and the modules the page imports), not the whole monorepo.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
// @ts-expect-error the example backend is plain JavaScript
import { startGallery } from '../server.mjs';
import { hostileRequest, recordingFatalErrors, sendRaw, type RawRequest } from '../../../test-helpers/hostile-http.js';

const source = (path: string) => fileURLToPath(new URL(`../../../packages/${path}`, import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

let service: PulseService;
let gallery: { url: string; port: number; close(): Promise<void> };

beforeAll(async () => {
  service = await createPulseService();
  gallery = await startGallery({
    pulse: { kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl },
    alias: {
      // The subpath first: 'openkbs-pulse' would also match it.
      'openkbs-pulse/react': source('client/src/react/index.ts'),
      'openkbs-pulse': source('client/src/index.ts'),
      '@openkbs-pulse/protocol': source('protocol/src/index.ts'),
    },
  });
}, 60_000);
afterAll(async () => {
  await gallery?.close();
  await service?.close();
});

const raw = (text: string): RawRequest => ({ bytes: Buffer.from(text, 'latin1'), summary: text });
const api = (body: unknown) =>
  fetch(`${gallery.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A normal client: the page, a token, an upload, the list, the photo. */
async function stillWorks(): Promise<void> {
  expect((await fetch(`${gallery.url}/`)).status).toBe(200);
  expect((await api({ action: 'getToken', userId: 'user_ok' })).status).toBe(200);
  const upload = await api({ action: 'upload', filename: 'ok.png', content: PNG });
  expect(upload.status).toBe(200);
  const { url } = (await upload.json()) as { url: string };
  expect((await api({ action: 'list' })).status).toBe(200);
  expect((await fetch(`${gallery.url}${url}`)).status).toBe(200);
}

describe('gallery server under hostile HTTP', () => {
  it('GET //[ (finding 1) gets a JSON 400 and the server goes on', async () => {
    const { result, fatal } = await recordingFatalErrors(() => sendRaw(gallery.port, raw('GET //[ HTTP/1.1\r\nhost: x\r\n\r\n')));
    expect(fatal).toEqual([]);
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: expect.any(String) });
    await stillWorks();
  });

  it.each([[null], [7], [[]], [{ action: 'getToken', userId: '   ' }]])('an API body it cannot use (%j) gets a JSON 400', async (body) => {
    const response = await api(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.any(String) });
  });

  it('property: arbitrary requests never take it down; its own routes answer 4xx in JSON, never a 5xx', async () => {
    const { fatal } = await recordingFatalErrors(() =>
      fc.assert(
        fc.asyncProperty(
          hostileRequest(['/', '/api', '/media/1/ok.png', '/src/App.tsx', '/index.html'], ['list', 'upload', 'delete', 'getToken'], ['id', 'userId', 'filename', 'content', 'caption', 'uploadedBy']),
          async (request) => {
            const answer = await sendRaw(gallery.port, request);
            const target = /^\S* (\S*)/.exec(request.bytes.toString('latin1'))?.[1] ?? '';
            if (answer.status !== undefined && /^\/(api|media\/)/.test(target)) {
              expect(answer.status, request.summary).toBeLessThan(500);
              if (answer.status >= 400) expect(answer.contentType, request.summary).toMatch(/application\/json/);
            }
          },
        ),
        { numRuns: 150 },
      ),
    );
    expect(fatal).toEqual([]);
    await stillWorks();
  });
});

describe('the Vite dev server (finding 10)', () => {
  it.each(['package.json', 'pnpm-workspace.yaml', 'packages/server/src/client.ts', 'examples/chat/server.mjs'])(
    'does not serve /@fs/ of the monorepo: %s',
    async (file) => {
      readFileSync(`${repoRoot}${file}`); // the file exists: a 403 is the fence, not a 404
      const response = await fetch(`${gallery.url}/@fs${repoRoot}${file}`);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain(readFileSync(`${repoRoot}${file}`, 'utf8').slice(0, 40));
    },
  );

  it('still serves the page and its modules', async () => {
    expect((await fetch(`${gallery.url}/`)).status).toBe(200);
    expect((await fetch(`${gallery.url}/src/App.tsx`)).status).toBe(200);
    expect((await fetch(`${gallery.url}/@fs${source('client/src/index.ts')}`)).status).toBe(200);
  });
});
