// An outside review found: the HTTP API decoded a body that is not UTF-8 with U+FFFD in place of
// the bad bytes and delivered the changed publish.
// The HTTP API decoded the request body with Buffer#toString('utf8'), which replaces every
// invalid byte sequence with U+FFFD without a word. A publish whose body was not valid UTF-8 was
// answered 200 and delivered CHANGED (a value the sender never sent), and a channel or event name
// with such bytes was silently renamed. The same bytes in a WebSocket text frame are refused
// (ws closes with 1007). Rule: any bytes in, a 4xx or typed error out; nothing changed silently.
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';
import { rawRequest } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
});

function post(port: number, body: Buffer) {
  const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return rawRequest(port, Buffer.concat([Buffer.from(head), body]));
}

it('refuses a publish whose body is not valid UTF-8 instead of delivering it with U+FFFD in place of the bytes', async () => {
  service = await createPulseService();
  const subscriber = await connect(service, 'bob', { channel: 'room' });
  const [before, after] = JSON.stringify({ action: 'pulsePublish', kbId: service.kbId, apiKey: service.apiKey, channel: 'room', event: 'note', data: { text: '@@' } }).split('@@');
  const body = Buffer.concat([Buffer.from(before!), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(after!)]); // not UTF-8

  const answer = await post(service.port, body);
  await subscriber.sync();
  const delivered = subscriber.frames.filter((frame) => frame.type === 'message');

  expect({ status: answer.status, delivered }).toEqual({ status: 400, delivered: [] });
  expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_message', error: expect.stringContaining('body must be UTF-8 JSON') });
});

it('delivers UTF-8 text as sent, and still refuses a body that starts with a BOM (JSON text has none)', async () => {
  service = await createPulseService();
  const subscriber = await connect(service, 'bob', { channel: 'room' });
  const publish = (text: string) => JSON.stringify({ action: 'pulsePublish', kbId: service!.kbId, apiKey: service!.apiKey, channel: 'room', event: 'note', data: { text } });

  expect((await post(service.port, Buffer.from(publish('café 😀 ünïcode')))).status).toBe(200);
  const bom = await post(service.port, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(publish('with a BOM'))]));
  await subscriber.sync();

  expect(bom.status).toBe(400);
  expect(subscriber.frames.filter((frame) => frame.type === 'message').map((frame) => (frame.data as { text: string }).text)).toEqual(['café 😀 ünïcode']);
});
