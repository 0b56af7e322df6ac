import { describe, expect, it } from 'vitest';
import { createTransport, loadUndici } from '../src/transport.js';

describe('createTransport', () => {
  it('picks fetch when asked or when a fetch is given', () => {
    expect(createTransport({ transport: 'fetch' }).kind).toBe('fetch');
    expect(createTransport({ fetch: globalThis.fetch }).kind).toBe('fetch');
  });

  it('auto resolves to undici in Node on the first request, and the custom fetch is used by the fetch transport', async () => {
    expect(await loadUndici()).toBeDefined();
    const calls: string[] = [];
    const transport = createTransport({
      transport: 'fetch',
      fetch: async (url, init) => {
        calls.push(`${init.method} ${url} ${String(init.body)}`);
        return new Response('{"ok":1}', { status: 201, headers: { 'retry-after': '2' } });
      },
    });
    const response = await transport.post('http://x.test/', '{"a":1}', new AbortController().signal);
    expect(response.status).toBe(201);
    expect(response.header('retry-after')).toBe('2');
    expect(await response.text()).toBe('{"ok":1}');
    expect(calls).toEqual(['POST http://x.test/ {"a":1}']);
  });

  it('uses a given undici dispatcher (MockAgent) and never closes it', async () => {
    const undici = await loadUndici();
    if (!undici) throw new Error('undici must load in Node');
    const agent = new undici.MockAgent();
    agent.disableNetConnect();
    agent.get('http://api.test').intercept({ path: '/', method: 'POST', body: '{"x":1}' }).reply(200, { delivered: 1 }).times(2);
    const transport = createTransport({ dispatcher: agent });
    expect(transport.kind).toBe('pending');
    const response = await transport.post('http://api.test/', '{"x":1}', new AbortController().signal);
    expect(transport.kind).toBe('undici');
    expect(JSON.parse(await response.text())).toEqual({ delivered: 1 });
    await transport.close();
    // Still usable: the transport did not close a dispatcher it does not own.
    const again = await agent.request({ origin: 'http://api.test', path: '/', method: 'POST', body: '{"x":1}' });
    expect(again.statusCode).toBe(200);
    await again.body.text();
    await agent.close();
  });
});
