// The Live Posts backend (the tutorial's handler) against the local Pulse service, on PGlite in
// process and on `pg` over the Postgres wire protocol (PGlite served by pglite-socket).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { Realtime } from 'openkbs-pulse';
// @ts-expect-error the example backend is plain JavaScript
import { createHandler } from '../handler.mjs';
// @ts-expect-error the example backend is plain JavaScript
import { openDatabase } from '../db.mjs';
// @ts-expect-error the example backend is plain JavaScript
import { startLivePosts } from '../server.mjs';

interface App {
  url: string;
  close(): Promise<void>;
}

let service: PulseService;
let app: App;
const clients: Realtime[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  service = await createPulseService();
  // The tutorial's handler reads its credentials from the environment, as in a Lambda.
  process.env.OPENKBS_KB_ID = service.kbId;
  process.env.OPENKBS_API_KEY = service.apiKey;
  process.env.OPENKBS_API_URL = service.apiUrl;
});
afterAll(async () => {
  await service.close();
  process.env = savedEnv;
});
// One app (and one PGlite, which takes seconds to boot) for the file.
beforeAll(async () => {
  app = await startLivePosts({ handler: createHandler(openDatabase({ databaseUrl: '' })), pulseScript: '/nonexistent/pulse.js' });
});
afterAll(async () => {
  await app?.close();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function call(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${app.url}/posts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function connect(userId: string): Promise<Realtime> {
  const { json } = await call({ action: 'getPulseToken', userId });
  expect(json).toMatchObject({ kbId: service.kbId, endpoint: service.wsUrl });
  const realtime = new Realtime({ kbId: json.kbId as string, token: json.token as string, endpoint: json.endpoint as string, clientId: userId });
  clients.push(realtime);
  return realtime;
}

describe('Live Posts backend', () => {
  it('creates posts in Postgres, broadcasts them, and lists them newest first', async () => {
    const reader = await connect('reader');
    const channel = reader.channels.get('posts');
    const received = new Promise<{ name: string; data: { post: Record<string, unknown> } }>((resolve) =>
      channel.subscribe('new_post', (message) => resolve(message as never)),
    );
    await new Promise<void>((resolve) => {
      const check = () => queueMicrotask(() => service.connections().some((c) => c.channels.includes('posts')) && resolve());
      service.on('action', check);
      check();
    });

    const first = await call({ action: 'create', userName: 'ada', content: 'first <script>' });
    expect(first.status).toBe(200);
    const firstPost = first.json.post as { id: number };
    expect(firstPost).toMatchObject({ user_name: 'ada', content: 'first <script>' });

    const message = await received;
    expect(message.name).toBe('new_post');
    expect(message.data.post).toMatchObject({ id: firstPost.id, user_name: 'ada', content: 'first <script>' });

    const second = (await call({ action: 'create', userName: 'bob', content: 'second' })).json.post as { id: number };
    const { json } = await call({ action: 'list' });
    const posts = json.posts as { id: number; created_at: string }[];
    expect(posts.slice(0, 2).map((p) => p.id)).toEqual([second.id, firstPost.id]);
    expect(typeof posts[0]?.created_at).toBe('string');
  });

  it('reports presence of the posts channel', async () => {
    const entered = new Promise<void>((resolve) => {
      // Emitted before the service applies the action: resolve once it has.
      service.on('action', (action) => action.action === 'presence_enter' && queueMicrotask(resolve));
    });
    const alice = await connect('alice');
    alice.channels.get('posts').presence.enter({ name: 'alice' });
    await entered;
    const { json } = await call({ action: 'presence' });
    expect(json.count).toBe(1);
    expect(json.members).toEqual([expect.objectContaining({ userId: 'alice' })]);
  });

  it('answers CORS preflight, unknown actions and bad JSON like the tutorial', async () => {
    const preflight = await fetch(`${app.url}/posts`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect((await call({ action: 'nope' })).status).toBe(400);
    expect((await fetch(`${app.url}/posts`, { method: 'POST', body: '{bad' })).status).toBe(400);
  });

  it('uses pg when DATABASE_URL is set and PGlite otherwise', () => {
    expect(openDatabase({ databaseUrl: 'postgres://user:pw@127.0.0.1:1/db' }).kind).toBe('pg');
    expect(openDatabase({ databaseUrl: '' }).kind).toBe('pglite');
  });

});

// The `pg` branch of db.mjs for real: `pg` speaks the Postgres wire protocol to an in-memory PGlite
// served over TCP by @electric-sql/pglite-socket (or to the Postgres at DATABASE_URL when it is set).
describe('Live Posts backend on pg (DATABASE_URL)', () => {
  let lite: PGlite | undefined;
  let socketServer: PGLiteSocketServer | undefined;
  let databaseUrl: string;
  const handlers: { close(): Promise<void> }[] = [];

  async function serve(port: number): Promise<number> {
    lite ??= await PGlite.create();
    socketServer = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port });
    await socketServer.start();
    const address = socketServer.getServerConn();
    return Number(address.slice(address.lastIndexOf(':') + 1));
  }

  beforeAll(async () => {
    databaseUrl = process.env.DATABASE_URL || `postgres://postgres@127.0.0.1:${await serve(0)}/postgres`;
  });
  afterEach(async () => {
    for (const handler of handlers.splice(0)) await handler.close();
  });
  afterAll(async () => {
    await socketServer?.stop();
    await lite?.close();
  });

  it('runs the tutorial SQL through pg when DATABASE_URL is set, and broadcasts the post', async () => {
    vi.stubEnv('DATABASE_URL', databaseUrl);
    const db = openDatabase();
    vi.unstubAllEnvs();
    expect(db.kind).toBe('pg');
    const handler = createHandler(db);
    handlers.push(handler);

    const reader = await connect('pg-reader');
    const received = new Promise<{ data: { post: Record<string, unknown> } }>((resolve) =>
      reader.channels.get('posts').subscribe('new_post', (message) => resolve(message as never)),
    );
    await new Promise<void>((resolve) => {
      const check = () => queueMicrotask(() => service.connections().some((c) => c.userId === 'pg-reader' && c.channels.includes('posts')) && resolve());
      service.on('action', check);
      check();
    });

    const created = await handler({ body: JSON.stringify({ action: 'create', userName: 'pg', content: 'on pg' }) });
    expect(created.statusCode).toBe(200);
    const post = JSON.parse(created.body).post;
    expect(post).toMatchObject({ user_name: 'pg', content: 'on pg' });
    expect((await received).data.post).toMatchObject({ id: post.id, content: 'on pg' });
    const listed = await handler({ body: JSON.stringify({ action: 'list' }) });
    expect(JSON.parse(listed.body).posts[0]).toMatchObject({ id: post.id, user_name: 'pg', content: 'on pg' });
  });

  it.skipIf(!!process.env.DATABASE_URL)('retries a failed database connection on the next request', async () => {
    // The database is down when the first request comes, and back for the second.
    await socketServer!.stop();
    socketServer = undefined;
    const port = Number(new URL(databaseUrl).port);
    const handler = createHandler(openDatabase({ databaseUrl }));
    handlers.push(handler);
    await expect(handler({ body: JSON.stringify({ action: 'list' }) })).rejects.toThrow(/ECONNREFUSED|connect/);

    await serve(port);
    const listed = await handler({ body: JSON.stringify({ action: 'list' }) });
    expect(listed.statusCode).toBe(200);
    expect(Array.isArray(JSON.parse(listed.body).posts)).toBe(true);
  });
});

describe('handler setup', () => {
  it('does not keep a failed setup: the next request connects again', async () => {
    let attempts = 0;
    const db = {
      connect: async () => {
        if (++attempts === 1) throw new Error('database is down');
      },
      query: async () => ({ rows: [] }),
      end: async () => undefined,
    };
    const handler = createHandler(db);
    await expect(handler({ body: JSON.stringify({ action: 'list' }) })).rejects.toThrow('database is down');
    const listed = await handler({ body: JSON.stringify({ action: 'list' }) });
    expect(listed.statusCode).toBe(200);
    expect(attempts).toBe(2);
    await handler.close();
  });
});
