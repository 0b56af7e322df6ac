import { describe, expect, it } from 'vitest';
import { createFetchTransport, createTransport, createUndiciTransport, isNodeLike, loadUndici } from '../src/transport.js';

describe('createTransport', () => {
  it('picks fetch when asked or when a fetch is given', () => {
    expect(createTransport({ transport: 'fetch' }).kind).toBe('fetch');
    expect(createTransport({ fetch: globalThis.fetch }).kind).toBe('fetch');
  });

  it('the fetch transport sends through the custom fetch: method, url, body, status, headers, text', async () => {
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
    expect(await response.text(1024)).toEqual({ ok: true, text: '{"ok":1}', utf8: true });
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
    expect(await response.text(1024)).toEqual({ ok: true, text: '{"delivered":1}', utf8: true });
    await transport.close();
    // Still usable: the transport did not close a dispatcher it does not own.
    const again = await agent.request({ origin: 'http://api.test', path: '/', method: 'POST', body: '{"x":1}' });
    expect(again.statusCode).toBe(200);
    await again.body.text();
    await agent.close();
  });
});

describe('runtime detection', () => {
  const node = { process: { versions: { node: '22.0.0' } } };
  it.each([
    ['Node', node, true],
    ['Bun (sets process.versions.node, ships a stub undici)', { ...node, Bun: {} }, false],
    ['Deno (sets process.versions.node in compat mode)', { ...node, Deno: {} }, false],
    ['an edge runtime', { ...node, EdgeRuntime: 'edge-runtime' }, false],
    ['a browser worker', {}, false],
  ])('isNodeLike: %s', (_name, scope, expected) => {
    expect(isNodeLike(scope)).toBe(expected);
  });

  it('auto resolves to undici in Node on the first request', async () => {
    expect(isNodeLike()).toBe(true);
    const transport = createTransport();
    expect(transport.kind).toBe('pending');
    // An invalid URL fails inside the resolved transport, before any socket is opened.
    await expect(transport.post('not a url', '{}', new AbortController().signal)).rejects.toThrow(TypeError);
    expect(transport.kind).toBe('undici');
    await transport.close();
  });

  it.each(['Bun', 'Deno'])('auto picks fetch at once when globalThis has %s', async (name) => {
    const scope = globalThis as Record<string, unknown>;
    scope[name] = {};
    try {
      expect(createTransport().kind).toBe('fetch');
      expect(createTransport({ transport: 'auto' }).kind).toBe('fetch');
    } finally {
      delete scope[name];
    }
    expect(createTransport().kind).toBe('pending');
  });
});

describe('close', () => {
  const signal = () => new AbortController().signal;

  it('the fetch transport refuses requests after close() with disconnected, and never calls fetch', async () => {
    let calls = 0;
    const transport = createFetchTransport(async () => {
      calls++;
      return new Response('{}');
    });
    await transport.post('http://x.test/', '{}', signal());
    await transport.close();
    await expect(transport.post('http://x.test/', '{}', signal())).rejects.toMatchObject({ code: 'disconnected' });
    expect(calls).toBe(1);
  });

  it('the undici transport refuses requests after close() with disconnected, also on a dispatcher it does not own', async () => {
    const undici = await loadUndici();
    if (!undici) throw new Error('undici must load in Node');
    const agent = new undici.MockAgent();
    agent.disableNetConnect();
    agent.get('http://api.test').intercept({ path: '/', method: 'POST' }).reply(200, {}).persist();
    const transport = createUndiciTransport(undici, { dispatcher: agent });
    await (await transport.post('http://api.test/', '{}', signal())).text(1024);
    await transport.close();
    await expect(transport.post('http://api.test/', '{}', signal())).rejects.toMatchObject({ code: 'disconnected' });
    await agent.close();
  });

  it('an owned undici Agent is closed, and a second close() is harmless', async () => {
    const undici = await loadUndici();
    if (!undici) throw new Error('undici must load in Node');
    const transport = createUndiciTransport(undici);
    await transport.close();
    await transport.close();
    await expect(transport.post('http://127.0.0.1:9/', '{}', signal())).rejects.toMatchObject({ code: 'disconnected' });
  });
});
