// The gallery API (the seed's Elastic Function actions) against the local Pulse service.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import Pulse from 'openkbs-pulse';
// @ts-expect-error the example backend is plain JavaScript
import { createGalleryApi } from '../server.mjs';

interface Api {
  handler(event: { body: string }): Promise<{ statusCode: number; body: string }>;
  media(path: string): { statusCode: number; body: Buffer; headers: Record<string, string> } | undefined;
  close(): Promise<void>;
}

let service: PulseService;
let api: Api;
let client: Pulse | undefined;

beforeEach(async () => {
  service = await createPulseService();
  api = createGalleryApi({ kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl });
});
afterEach(async () => {
  client?.disconnect();
  client = undefined;
  await api.close();
  await service.close();
});

async function call<T = Record<string, unknown>>(body: object): Promise<{ status: number; json: T }> {
  const result = await api.handler({ body: JSON.stringify(body) });
  return { status: result.statusCode, json: JSON.parse(result.body) as T };
}

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('photo gallery API', () => {
  it('getToken answers a token for the local service', async () => {
    const { status, json } = await call({ action: 'getToken', userId: 'user_1' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ kbId: service.kbId, endpoint: service.wsUrl });
    expect(typeof json.token).toBe('string');
  });

  it('upload stores the photo and broadcasts photo_added; delete broadcasts photo_deleted', async () => {
    const { json: auth } = await call<{ kbId: string; token: string; endpoint: string }>({ action: 'getToken', userId: 'viewer' });
    client = new Pulse({ kbId: auth.kbId, token: auth.token, endpoint: auth.endpoint });
    const gallery = client.channel('gallery');
    const added = new Promise<Record<string, unknown>>((resolve) => gallery.subscribe('photo_added', (data) => resolve(data)));
    const deleted = new Promise<Record<string, unknown>>((resolve) => gallery.subscribe('photo_deleted', (data) => resolve(data)));
    await new Promise<void>((resolve) => {
      const check = () => queueMicrotask(() => service.connections().some((c) => c.channels.includes('gallery')) && resolve());
      service.on('action', check);
      check();
    });

    const upload = await call<{ id: number; url: string }>({ action: 'upload', filename: 'dot.png', caption: 'a dot', content: PNG.toString('base64'), uploadedBy: 'ada' });
    expect(upload.status).toBe(200);
    await expect(added).resolves.toMatchObject({ type: 'photo_added', id: upload.json.id, caption: 'a dot', uploaded_by: 'ada' });
    const media = api.media(upload.json.url);
    expect(media?.headers['content-type']).toBe('image/png');
    expect(media?.body.equals(PNG)).toBe(true);
    expect((await call<unknown[]>({ action: 'list' })).json).toHaveLength(1);

    expect((await call({ action: 'delete', id: upload.json.id })).status).toBe(200);
    await expect(deleted).resolves.toMatchObject({ type: 'photo_deleted', id: upload.json.id });
    expect((await call<unknown[]>({ action: 'list' })).json).toHaveLength(0);
    expect(api.media(upload.json.url)).toBeUndefined();
  });

  it('rejects bad requests', async () => {
    expect((await call({ action: 'nope' })).status).toBe(400);
    expect((await call({ action: 'upload', filename: 'x.png' })).status).toBe(400);
    expect((await call({ action: 'getToken' })).status).toBe(400);
    expect((await call({ action: 'delete', id: 999 })).status).toBe(404);
    expect((await api.handler({ body: '{nope' })).statusCode).toBe(400);
  });
});
