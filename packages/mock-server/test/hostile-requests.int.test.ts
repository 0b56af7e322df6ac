// Issue 12, findings 1, 5 and 6: malformed, hostile, oversized and slow requests get a 4xx with
// the service's JSON error body, never a crash, a 5xx or a socket held open.
import { connect as connectTcp } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { MAX_BODY_BYTES } from '../src/http-api.js';
import { api, closeAllClients, connect } from './helpers.js';
import { httpRequest, parseAnswer, rawRequest, upgradeHeaders } from './raw-http.js';

let service: PulseService;
beforeEach(async () => {
  service = await createPulseService({ requestTimeoutMs: 500 });
});
afterEach(async () => {
  closeAllClients();
  await service.close();
});

const host = () => `127.0.0.1:${service.port}`;

/** `{ a: { a: ... } }`, `levels` objects deep, as JSON text (never built as a value: no recursion). */
function nestedJson(levels: number): string {
  return '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
}

async function stillServes(): Promise<void> {
  const alice = await connect(service, 'alice', { channel: 'after' });
  alice.send({ action: 'publish', channel: 'after', event: 'ok', data: { n: 1 } });
  expect(await alice.nextType('message')).toMatchObject({ data: { type: 'ok', n: 1 } });
}

describe('upgrade requests that are not URLs (finding 1)', () => {
  for (const path of ['//[', '//[::1', 'http://[', '//[?kbId=x&token=y']) {
    it(`answers GET ${path} with upgrade headers and no token with 400 and keeps running`, async () => {
      const answer = await rawRequest(service.port, httpRequest('GET', path, upgradeHeaders(host())), { keepOpen: true });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_message', error: expect.stringContaining('malformed') });
      await stillServes();
    });
  }
});

describe('one validation for both publish paths (finding 5)', () => {
  it('refuses data nested deeper than the frame limit over HTTP, as over WebSocket, with no 5xx', async () => {
    const listener = await connect(service, 'listener', { channel: 'deep' });
    for (const levels of [MAX_NESTING_DEPTH + 1, 3_000, 5_000, 100_000]) {
      const body = `{"action":"pulsePublish","kbId":"${service.kbId}","apiKey":"${service.apiKey}","channel":"deep","event":"e","data":${nestedJson(levels)}}`;
      const answer = await rawRequest(service.port, httpRequest('POST', '/', { Host: host(), 'Content-Type': 'application/json' }, body));
      expect(answer.status, `${levels} levels`).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_message', error: expect.stringContaining('levels') });
    }
    // The same data over WebSocket gets the same code.
    const sender = await connect(service, 'sender');
    sender.send(`{"action":"publish","channel":"deep","event":"e","data":${nestedJson(3_000)}}`);
    expect(await sender.nextType('error')).toMatchObject({ code: 'invalid_message' });
    await listener.sync();
    expect(listener.pending()).toEqual([]);
    expect(service.stats().published).toBe(0);
  });

  it('refuses a __proto__ key over HTTP instead of answering delivered: 1 for a message every client drops', async () => {
    const listener = await connect(service, 'listener', { channel: 'room' });
    const body = `{"action":"pulsePublish","kbId":"${service.kbId}","apiKey":"${service.apiKey}","channel":"room","event":"e","data":{"x":{"__proto__":{"admin":true}}}}`;
    const answer = await rawRequest(service.port, httpRequest('POST', '/', { Host: host(), 'Content-Type': 'application/json' }, body));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_message', error: expect.stringContaining('__proto__') });
    await listener.sync();
    expect(listener.pending()).toEqual([]);
  });

  it('checks presence data with the same rule as publishes (depth)', async () => {
    const alice = await connect(service, 'alice', { channel: 'room' });
    alice.send(`{"action":"presence_enter","channel":"room","data":${nestedJson(MAX_NESTING_DEPTH - 2)}}`);
    expect(await alice.nextType('error')).toMatchObject({ code: 'invalid_message', channel: 'room' });
    expect((await api(service, { action: 'pulsePresence', channel: 'room' })).body).toEqual({ count: 0, members: [] });
  });
});

describe('bounded requests (finding 6)', () => {
  it('answers 413 to a declared 200 MB body at once and closes without reading it', async () => {
    const answer = await rawRequest(
      service.port,
      httpRequest('POST', '/', { Host: host(), 'Content-Type': 'application/json', 'Content-Length': String(200 * 1024 * 1024) }) + '{"a":',
      { keepOpen: true },
    );
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'message_too_large' });
  });

  it('stops reading a chunked body once it passes the limit: the sender cannot push 200 MB', async () => {
    const socket = connectTcp(service.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(httpRequest('POST', '/', { Host: host(), 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    let written = 0;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Write as fast as the socket drains, until the service closes it or 200 MB went out.
    while (!socket.destroyed && written < 200 * 1024 * 1024) {
      written += framed.length;
      if (!socket.write(framed)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
    }
    await closed;
    const answer = parseAnswer(Buffer.concat(received).toString('latin1'));
    expect(answer.status).toBe(413);
    expect(written).toBeLessThan(200 * 1024 * 1024);
    expect(MAX_BODY_BYTES).toBeLessThan(written);
    await stillServes();
  });

  it('answers 408 and closes when a body stalls (requestTimeoutMs)', async () => {
    const answer = await rawRequest(
      service.port,
      httpRequest('POST', '/', { Host: host(), 'Content-Type': 'application/json', 'Content-Length': '1000' }) + '{"action":',
      { keepOpen: true, waitMs: 10_000 },
    );
    expect(answer.status).toBe(408);
    expect(answer.closedByService || answer.headers.connection === 'close').toBe(true);
    await stillServes();
  });

  it('answers 408 and closes a connection whose headers never end', async () => {
    const answer = await rawRequest(service.port, `POST / HTTP/1.1\r\nHost: ${host()}\r\nX-Slow: 1\r\n`, { keepOpen: true, waitMs: 10_000 });
    expect(answer.status).toBe(408);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_message' });
    await stillServes();
  });
});
