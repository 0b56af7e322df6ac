// An outside review found: the server SDK decodes an answer's body with a lenient TextDecoder
// (transport.ts readBounded: `new TextDecoder()`), so bytes that are not UTF-8 become U+FFFD and
// the call resolves with changed data: a presence answer sent as Latin-1 by a gateway or proxy
// ({"name":"René"} with é as the single byte 0xE9) resolves with the member data "Ren\uFFFD" and
// the userId "al\uFFFDice", without a word. JSON text is UTF-8 (RFC 8259 §8.1); the local service
// refuses such a request body with 400 (490bf8d, "body must be UTF-8 JSON") rather than deliver
// the changed publish, and a WebSocket text frame with them fails the connection. An answer that
// is not UTF-8 is not the documented shape: invalid_response, never data with characters swapped.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpResponse } from 'msw';
import { makeClient, onApi, server } from './helpers.js';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The JSON text with every character below 256 as one byte (Latin-1), as a misconfigured gateway sends it. */
const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('an answer whose body is not UTF-8', () => {
  it('presence() is refused with invalid_response, not resolved with U+FFFD in the members', async () => {
    const body = latin1(JSON.stringify({ count: 1, members: [{ userId: 'alice', connectionId: 'c1', connectedAt: 1, data: { name: 'René' } }] }));
    onApi(() => new HttpResponse(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    const { client } = makeClient({ retries: 0 });
    const result = await client.presence('chat').then(
      (value) => ({ resolvedWith: value }),
      (error: unknown) => error,
    );
    expect(result).toMatchObject({ code: 'invalid_response' });
  });

  it('a UTF-8 answer with the same data resolves as sent (control)', async () => {
    const body = Buffer.from(JSON.stringify({ count: 1, members: [{ userId: 'alice', connectionId: 'c1', connectedAt: 1, data: { name: 'René' } }] }), 'utf8');
    onApi(() => new HttpResponse(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    const { client } = makeClient({ retries: 0 });
    await expect(client.presence('chat')).resolves.toMatchObject({ members: [{ data: { name: 'René' } }] });
  });

  it('a body split across chunks is judged whole: a character cut between two chunks is UTF-8 (control)', async () => {
    const bytes = Buffer.from(JSON.stringify({ delivered: 1, timestamp: 1, note: 'é' }), 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, cut));
        controller.enqueue(bytes.subarray(cut));
        controller.close();
      },
    });
    onApi(() => new HttpResponse(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    const { client } = makeClient({ retries: 0 });
    await expect(client.publish('chat', 'message', {})).resolves.toEqual({ delivered: 1, timestamp: 1 });
  });

  it('an error answer that is not UTF-8 is still read as the error it is (a 503 stays a retryable server_error)', async () => {
    onApi(() => new HttpResponse(latin1('<h1>Service indisponible: réessayez</h1>'), { status: 503, headers: { 'content-type': 'text/html' } }));
    const { client } = makeClient({ retries: 0 });
    await expect(client.status()).rejects.toMatchObject({ code: 'server_error', retryable: true });
  });

  it('a UTF-8 answer that starts with a BOM resolves, as before (RFC 8259 lets a parser ignore one)', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ delivered: 2, timestamp: 1 }))]);
    onApi(() => new HttpResponse(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    const { client } = makeClient({ retries: 0 });
    await expect(client.publish('chat', 'message', {})).resolves.toEqual({ delivered: 2, timestamp: 1 });
  });
});
