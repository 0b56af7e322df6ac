// The inspector's server side over real sockets: who may open it (loopback, API key, same origin),
// the feed a page subscribes to (snapshot, batched updates of every kind of event), its actions,
// and that it records nothing while no page is subscribed.
import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildConnectUrl, MAX_USER_ID_LENGTH } from '@openkbs-pulse/protocol';
import { WebSocket } from 'ws';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect, openClient, upgradeRefusal, type Frame, type RawClient } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

interface Session {
  kbId: string;
  token: string;
  endpoint: string;
  channel: string;
}
type Entry = { kind: string; text: string; code?: string; channel?: string; userId?: string; detail?: string };
type Message = Frame & { channel: string; data: { type: string; [key: string]: unknown } };

/** GET with any headers (fetch may not set Host). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function session(s: PulseService, headers: Record<string, string> = {}): Promise<Session> {
  const answer = await get(`${s.url}/_inspector/session`, headers);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.body) as Session;
}

/** What a page has seen on its feed: every log entry and the latest state, accumulated. */
class FeedView {
  readonly log: Entry[] = [];
  state: Record<string, unknown> | undefined;
  private check: (() => void) | undefined;

  constructor(readonly client: RawClient) {
    client.ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Message;
      if (frame.type !== 'message') return;
      const data = frame.data;
      if (data.type === 'snapshot') this.log.splice(0, this.log.length);
      if (Array.isArray(data.log)) this.log.push(...(data.log as Entry[]));
      if (data.state) this.state = data.state as Record<string, unknown>;
      this.check?.();
    });
  }

  /** Resolves with `probe()`'s first defined value, re-checked on every frame (bounded wait). */
  until<T>(probe: (view: FeedView) => T | undefined | false, timeoutMs = 3000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.check = undefined;
        reject(new Error(`feed condition not met in ${timeoutMs} ms; log: ${JSON.stringify(this.log).slice(0, 800)}`));
      }, timeoutMs);
      this.check = () => {
        const value = probe(this);
        if (value === undefined || value === false) return;
        clearTimeout(timer);
        this.check = undefined;
        resolve(value);
      };
      this.check();
    });
  }

  /** The first log entry (from `from` on) matching `predicate`. */
  entry(predicate: (entry: Entry) => boolean, from = 0): Promise<Entry> {
    return this.until((view) => view.log.slice(from).find(predicate));
  }
}

/** Opens the feed like the page does and subscribes; resolves with the client and its snapshot. */
async function openFeed(s: PulseService): Promise<{ feed: RawClient; snapshot: Message['data']; view: FeedView }> {
  const grant = await session(s);
  const feed = await openClient(buildConnectUrl(grant.endpoint, { kbId: grant.kbId, token: grant.token }));
  const view = new FeedView(feed);
  feed.send({ action: 'subscribe', channel: grant.channel });
  const snapshot = await feed.next<Message>((f) => f.type === 'message' && (f as Message).data.type === 'snapshot');
  return { feed, snapshot: snapshot.data, view };
}

async function act(feed: RawClient, op: string, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const id = Math.random();
  feed.send({ action: 'publish', channel: 'inspector', event: 'action', data: { id, op, ...fields } });
  const frame = await feed.next<Message>((f) => f.type === 'message' && (f as Message).data.type === 'result' && (f as Message).data.id === id);
  return frame.data;
}

describe('inspector: page and access', () => {
  it('serves the page, its script and style, with a strict content security policy', async () => {
    service = await createPulseService();
    expect(service.inspectorUrl).toBe(`${service.url}/_inspector`);
    const page = await fetch(service.inspectorUrl!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="/_inspector/pulse.js"');
    expect((await fetch(`${service.url}/_inspector/inspector.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${service.url}/_inspector/inspector.css`)).status).toBe(200);
    const script = await fetch(`${service.url}/_inspector/pulse.js`);
    if (existsSync(fileURLToPath(new URL('../../client/pulse.js', import.meta.url)))) expect(script.status).toBe(200);
    else expect(await script.text()).toContain('corepack pnpm --filter openkbs-pulse build');
    expect((await fetch(`${service.url}/_inspector/nope`)).status).toBe(404);
  });

  it('inspector: false serves nothing at /_inspector', async () => {
    service = await createPulseService({ inspector: false });
    expect(service.inspectorUrl).toBeUndefined();
    expect((await fetch(`${service.url}/_inspector`)).status).toBe(404);
    expect((await fetch(`${service.url}/_inspector/session`)).status).toBe(404);
  });

  it('on loopback: a session for the own machine, refused to other origins and to other host names', async () => {
    service = await createPulseService();
    const grant = await session(service);
    expect(grant.endpoint).toBe(`${service.wsUrl}/_inspector/feed`);
    const crossOrigin = await get(`${service.url}/_inspector/session`, { Origin: 'https://evil.example' });
    expect(crossOrigin.status).toBe(403);
    expect(JSON.parse(crossOrigin.body)).toMatchObject({ code: 'forbidden' });
    // A DNS-rebinding page reaches 127.0.0.1 under its own host name.
    const rebound = await get(`${service.url}/_inspector/session`, { Host: `evil.example:${service.port}` });
    expect(rebound.status).toBe(403);
    // The session carries no CORS header: another origin cannot read it even where it is sent.
    expect((await fetch(`${service.url}/_inspector/session`)).headers.get('access-control-allow-origin')).toBeNull();
    // The feed refuses other origins too.
    const refused = await new Promise<number>((resolve) => {
      const req = request(`${service!.url}/_inspector/feed?kbId=${grant.kbId}&token=${grant.token}`, {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Origin: 'https://evil.example' },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.end();
    });
    expect(refused).toBe(403);
    // A DNS-rebinding page is same-origin with itself, but its Host is no loopback name.
    const rebinding = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${grant.endpoint}?kbId=${grant.kbId}&token=${grant.token}`, {
        origin: `http://evil.example:${service!.port}`,
        headers: { host: `evil.example:${service!.port}` },
      });
      ws.once('open', () => (ws.terminate(), resolve(101)));
      ws.once('unexpected-response', (_req, res) => (res.resume(), ws.terminate(), resolve(res.statusCode ?? 0)));
      ws.once('error', () => resolve(0));
    });
    expect(rebinding).toBe(403);
  });

  it('on another interface: the API key is needed', async () => {
    service = await createPulseService({ host: '0.0.0.0', apiKey: 'secret-key' });
    const none = await get(`${service.url}/_inspector/session`);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ code: 'invalid_api_key' });
    expect(JSON.parse(none.body).error).toContain('Authorization: Bearer');
    expect((await get(`${service.url}/_inspector/session`, { Authorization: 'Bearer wrong' })).status).toBe(401);
    const grant = await session(service, { Authorization: 'Bearer secret-key' });
    // The page reached at a LAN name opens the feed from its own origin; another origin may not.
    const feedUrl = `${service.wsUrl}/_inspector/feed?kbId=${grant.kbId}&token=${grant.token}`;
    const upgrade = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(feedUrl, { origin, headers: { host: `lan.example:${service!.port}` } });
        ws.once('open', () => (ws.terminate(), resolve(101)));
        ws.once('unexpected-response', (_req, res) => (res.resume(), ws.terminate(), resolve(res.statusCode ?? 0)));
        ws.once('error', () => resolve(0));
      });
    expect(await upgrade(`http://lan.example:${service.port}`)).toBe(101);
    expect(await upgrade('https://evil.example')).toBe(403);
  });

  it('the feed takes only its own tokens, and service tokens open nothing there', async () => {
    service = await createPulseService();
    const grant = await session(service);
    expect((await upgradeRefusal(`${grant.endpoint}?kbId=${grant.kbId}&token=nope`)).status).toBe(401);
    const serviceToken = await service.createToken('mallory');
    expect((await upgradeRefusal(`${grant.endpoint}?kbId=${grant.kbId}&token=${serviceToken}`)).body.code).toBe('invalid_token');
    // And the feed's token is no token of the service.
    expect((await upgradeRefusal(buildConnectUrl(service.wsUrl, { kbId: grant.kbId, token: grant.token }))).status).toBe(401);
    expect((await upgradeRefusal(buildConnectUrl(service.wsUrl, { kbId: service.kbId, token: grant.token }))).status).toBe(401);
  });
});

describe('inspector: the feed', () => {
  it('records nothing while no page is subscribed', async () => {
    service = await createPulseService();
    const before = await connect(service, 'early', { channel: 'room' });
    before.send({ action: 'publish', channel: 'room', event: 'unseen', data: {} });
    await before.sync();
    const { feed, snapshot } = await openFeed(service);
    expect(snapshot.log).toEqual([]);
    // The state is read when asked: the early connection is listed.
    expect((snapshot.state as { connections: { userId: string }[] }).connections.map((c) => c.userId)).toEqual(['early']);
    feed.send({ action: 'unsubscribe', channel: 'inspector' });
    await feed.sync();
    before.send({ action: 'publish', channel: 'room', event: 'unseen-again', data: {} });
    await before.sync();
    feed.send({ action: 'subscribe', channel: 'inspector' });
    const again = await feed.next<Message>((f) => (f as Message).data?.type === 'snapshot');
    expect(again.data.log).toEqual([]);
  });

  it('streams connections, subscriptions, publishes (WebSocket and HTTP), presence and refusals', async () => {
    service = await createPulseService();
    const { view } = await openFeed(service);
    const ada = await connect(service, 'ada', { channel: 'room' });
    expect(await view.entry((e) => e.kind === 'connect')).toMatchObject({ userId: 'ada', text: 'ada connected to room' });
    const state = await view.until((v) => (v.state?.connections as unknown[]).length === 1 && v.state);
    expect(state.connections).toEqual([expect.objectContaining({ userId: 'ada', kbId: service.kbId, channels: ['room'] })]);

    ada.send({ action: 'presence_enter', channel: 'room', data: { name: 'Ada' } });
    expect(await view.entry((e) => e.kind === 'presence')).toMatchObject({ userId: 'ada', channel: 'room', detail: '{"name":"Ada"}' });
    const withMembers = await view.until((v) => (v.state?.channels as { presenceCount: number }[])[0]?.presenceCount === 1 && v.state);
    expect(withMembers.channels).toEqual([
      expect.objectContaining({ channel: 'room', subscribers: 1, presenceCount: 1, members: [expect.objectContaining({ userId: 'ada', data: '{"name":"Ada"}' })] }),
    ]);

    ada.send({ action: 'publish', channel: 'room', event: 'chat', data: { text: 'hi' } });
    expect(await view.entry((e) => e.kind === 'publish')).toMatchObject({
      userId: 'ada',
      channel: 'room',
      text: 'chat on room from ada (WebSocket), delivered to 1',
      detail: '{"text":"hi"}',
    });
    await api(service, { action: 'pulsePublish', channel: 'room', event: 'news', data: { n: 1 } });
    expect((await view.entry((e) => e.kind === 'publish' && e.text.startsWith('news'))).text).toBe('news on room from HTTP API (HTTP), delivered to 1');

    ada.send({ action: 'publish', channel: 'room', event: 'big', data: { blob: 'x'.repeat(40_000) } });
    expect(await view.entry((e) => e.kind === 'refused')).toMatchObject({ code: 'message_too_large', userId: 'ada' });
    await api(service, { action: 'pulsePublish', channel: '', event: 'e' });
    expect(await view.entry((e) => e.kind === 'refused' && e.text.startsWith('HTTP'))).toMatchObject({ code: 'invalid_message' });
    await upgradeRefusal(buildConnectUrl(service.wsUrl, { kbId: service.kbId, token: 'garbage' }));
    expect(await view.entry((e) => e.kind === 'refused' && e.text.startsWith('connection'))).toMatchObject({ code: 'invalid_token' });

    ada.send({ action: 'subscribe', channel: 'other' });
    expect(await view.entry((e) => e.kind === 'subscribe')).toMatchObject({ channel: 'other' });
    ada.close();
    expect((await view.entry((e) => e.kind === 'disconnect')).text).toMatch(/^ada disconnected: 1006/);
    expect(await view.entry((e) => e.kind === 'presence' && e.text.includes('left'))).toMatchObject({ text: 'ada left presence in room', userId: 'ada' });
  });

  it('acts: publish (checked with the protocol rules), drop one, drop all, pause and resume', async () => {
    service = await createPulseService();
    const { feed, view } = await openFeed(service);
    const bob = await connect(service, 'bob', { channel: 'room' });

    expect(await act(feed, 'publish', { kbId: service.kbId, channel: 'room', event: 'note', data: { x: 1 } })).toMatchObject({ ok: true, delivered: 1 });
    expect(await bob.nextType('message')).toMatchObject({ channel: 'room', data: { x: 1, type: 'note' } });
    expect(await view.entry((e) => e.kind === 'publish')).toMatchObject({ text: 'note on room from inspector (inspector), delivered to 1' });

    expect(await act(feed, 'publish', { kbId: service.kbId, channel: '', event: 'note' })).toMatchObject({ ok: false, code: 'invalid_message' });
    expect(await view.entry((e) => e.kind === 'refused')).toMatchObject({ code: 'invalid_message' });
    expect(await act(feed, 'publish', { kbId: service.kbId, channel: 'room', event: 'note', data: { blob: 'x'.repeat(33_000) } })).toMatchObject({
      ok: false,
      code: 'message_too_large',
    });
    expect(await act(feed, 'publish', { kbId: 'nope', channel: 'room', event: 'note' })).toMatchObject({ ok: false, code: 'invalid_argument' });
    expect(await act(feed, 'explode')).toMatchObject({ ok: false, code: 'invalid_argument' });

    expect(await act(feed, 'pause')).toMatchObject({ ok: true });
    expect(service.paused).toBe(true);
    // The feed still answers while the service is paused (that is how the page resumes it).
    expect(await act(feed, 'resume')).toMatchObject({ ok: true });
    expect(service.paused).toBe(false);

    const [bobInfo] = service.connections();
    expect(await act(feed, 'kill', { connectionId: bobInfo!.connectionId })).toMatchObject({ ok: true });
    expect((await bob.closed).code).toBe(1006);
    expect(await act(feed, 'kill', { connectionId: bobInfo!.connectionId })).toMatchObject({ ok: false, code: 'invalid_argument' });

    const carol = await connect(service, 'carol');
    expect(await act(feed, 'dropAll')).toMatchObject({ ok: true, text: 'dropped all connections (1)' });
    await carol.closed;
    // The page's own feed is not one of the service's connections.
    await feed.sync();
    expect(await view.entry((e) => e.kind === 'action' && e.text.includes('dropped all'))).toBeDefined();
  });

  it('is bounded: the last 1,000 log lines are kept, a burst is cut to the newest 300 per batch with a count of the rest', async () => {
    service = await createPulseService();
    const { feed } = await openFeed(service);
    const batches: Message['data'][] = [];
    feed.ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Message;
      if (frame.data?.type === 'update' && Array.isArray(frame.data.log)) batches.push(frame.data);
    });
    // Three clients send 400 publishes each at once (within the per-connection burst): far more
    // than one batch takes.
    const publishes = 1200;
    const senders = await Promise.all(['a', 'b', 'c'].map((user) => connect(service!, user)));
    for (const [n, sender] of senders.entries()) {
      for (let j = 0; j < 400; j++) sender.send({ action: 'publish', channel: 'room', event: 'e', data: { i: n * 400 + j } });
    }
    const received = () => batches.reduce((sum, b) => sum + (b.log as Entry[]).length + Number(b.skipped ?? 0), 0);
    await new Promise<void>((resolve, reject) => {
      // Every publish and the three connects: shown or counted as skipped.
      const expected = publishes + senders.length;
      const timer = setTimeout(() => reject(new Error(`only ${received()} of ${expected} lines accounted for`)), 5000);
      const check = () => (received() === expected ? (clearTimeout(timer), resolve()) : setTimeout(check, 50));
      check();
    });
    expect(Math.max(...batches.map((b) => (b.log as Entry[]).length))).toBeLessThanOrEqual(300);
    expect(batches.some((b) => Number(b.skipped) > 0)).toBe(true);
    feed.send({ action: 'subscribe', channel: 'inspector' });
    const snapshot = await feed.next<Message>((f) => (f as Message).data?.type === 'snapshot');
    const log = snapshot.data.log as (Entry & { seq: number })[];
    expect(log).toHaveLength(1000);
    expect(log.at(-1)!.seq - log[0]!.seq).toBe(999);
    expect(log.at(-1)!.detail).toMatch(/"i":\d+/);
  });

  it('keeps a snapshot under the 4 MiB a client accepts: at most 2,000 members listed, counts exact, long user ids cut', async () => {
    service = await createPulseService();
    // The longest userId a token is minted for (MAX_USER_ID_LENGTH): the inspector cuts it to 200.
    const longName = 'u'.repeat(MAX_USER_ID_LENGTH);
    const clients = await Promise.all(Array.from({ length: 25 }, (_, i) => connect(service!, i === 0 ? longName : `user-${i}`)));
    for (const client of clients) {
      for (let c = 0; c < 100; c++) client.send({ action: 'presence_enter', channel: `ch-${c}`, data: { note: 'x'.repeat(400) } });
    }
    await Promise.all(clients.map((client) => client.sync()));
    const grant = await session(service);
    const feed = await openClient(buildConnectUrl(grant.endpoint, { kbId: grant.kbId, token: grant.token }));
    const raw = new Promise<string>((resolve) => feed.ws.once('message', (data) => resolve(String(data))));
    feed.send({ action: 'subscribe', channel: grant.channel });
    const text = await raw;
    expect(Buffer.byteLength(text)).toBeLessThan(4 * 1024 * 1024);
    const state = (JSON.parse(text) as Message).data.state as {
      channels: { presenceCount: number; members: { userId: string }[] }[];
      connections: { userId: string }[];
    };
    expect(state.channels).toHaveLength(100);
    expect(state.channels.every((c) => c.presenceCount === 25)).toBe(true);
    expect(state.channels.reduce((sum, c) => sum + c.members.length, 0)).toBe(2000);
    expect(Math.max(...state.connections.map((c) => c.userId.length))).toBeLessThanOrEqual(201);
  });

  it('closes the feed when the service stops', async () => {
    service = await createPulseService();
    const { feed } = await openFeed(service);
    await service.stop();
    expect((await feed.closed).code).toBe(1001);
  });
});
