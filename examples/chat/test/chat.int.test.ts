import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import Pulse from 'openkbs-pulse';
// @ts-expect-error the example backend is plain JavaScript
import { startChatServer } from '../server.mjs';
import { SOURCE_ALIAS, serviceCondition } from './helpers.js';

interface ChatServer {
  url: string;
  close(): Promise<void>;
}

let service: PulseService;
let chat: ChatServer;
const clients: Pulse[] = [];

beforeEach(async () => {
  service = await createPulseService();
  chat = await startChatServer({
    pulse: { kbId: service.kbId, apiKey: service.apiKey, apiUrl: service.apiUrl },
    alias: SOURCE_ALIAS,
  });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await chat.close();
  await service.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(chat.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function connectedClient(name: string): Promise<{ pulse: Pulse; userId: string }> {
  const { json } = await post('/api/token', { name });
  const pulse = new Pulse({ kbId: json.kbId as string, token: json.token as string, endpoint: json.endpoint as string });
  clients.push(pulse);
  return { pulse, userId: json.userId as string };
}

describe('chat backend against the local Pulse service', () => {
  it('mints tokens for the local service that a client can connect with', async () => {
    const { status, json } = await post('/api/token', { name: 'Ada' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ kbId: service.kbId, endpoint: service.wsUrl, name: 'Ada' });
    expect(json.userId).toMatch(/^u-[0-9a-f]{12}$/);
    const pulse = new Pulse({ kbId: json.kbId as string, token: json.token as string, endpoint: json.endpoint as string });
    clients.push(pulse);
    await serviceCondition(service, () => service.connections().some((c) => c.userId === json.userId));
  });

  it('stores a posted message and publishes it to subscribed clients', async () => {
    const { pulse, userId } = await connectedClient('Bob');
    const received = new Promise<unknown>((resolve) => pulse.channel('chat').subscribe('message', (data) => resolve(data)));
    await serviceCondition(service, () => service.connections().some((c) => c.userId === userId && c.channels.includes('chat')));

    const { status, json } = await post('/api/messages', { userId: 'u-000000000001', name: 'Ada', text: 'hello <b>Bob</b>' });
    expect(status).toBe(200);
    expect(json.published).toBe(true);
    await expect(received).resolves.toMatchObject({ type: 'message', id: 1, name: 'Ada', text: 'hello <b>Bob</b>' });

    const history = (await (await fetch(`${chat.url}/api/messages?after=0`)).json()) as { messages: unknown[] };
    expect(history.messages).toHaveLength(1);
    const none = (await (await fetch(`${chat.url}/api/messages?after=1`)).json()) as { messages: unknown[] };
    expect(none.messages).toHaveLength(0);
  });

  it('keeps messages posted while the service is down, for pages to catch up', async () => {
    await service.stop();
    const { status, json } = await post('/api/messages', { userId: 'u-000000000001', name: 'Ada', text: 'while you were away' });
    expect(status).toBe(200);
    expect(json.published).toBe(false);
    await service.start();
    const { messages } = (await (await fetch(`${chat.url}/api/messages?after=0`)).json()) as { messages: { text: string }[] };
    expect(messages.map((m) => m.text)).toEqual(['while you were away']);
  });

  it('rejects invalid input and unknown routes', async () => {
    expect((await post('/api/messages', { userId: 'u', name: 'Ada', text: '   ' })).status).toBe(400);
    expect((await post('/api/token', { name: '' })).status).toBe(400);
    const notJson = await fetch(`${chat.url}/api/token`, { method: 'POST', body: '{nope' });
    expect(notJson.status).toBe(400);
    expect((await fetch(`${chat.url}/nope`)).status).toBe(404);
  });

  it('serves the page and a browser bundle of the client', async () => {
    const html = await (await fetch(chat.url)).text();
    expect(html).toContain('<script type="module" src="/app.js">');
    const bundle = await fetch(`${chat.url}/app.js`);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect(await bundle.text()).toContain('/api/messages');
  });

  it('never puts user data into innerHTML', async () => {
    const app = await readFile(new URL('../src/app.ts', import.meta.url), 'utf8');
    expect(app).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML/);
  });
});
