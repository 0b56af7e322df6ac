// An outside review found: The WebSocket publish path measures the message frame only when the *raw* publish frame is
// within MESSAGE_FRAME_GROWTH (64) bytes of 32 KB. The service re-encodes the parsed data, and
// JSON numbers written with an exponent grow when re-encoded (9e20 -> 900000000000000000000),
// so a small publish frame can produce a message frame far over 32 KB that is delivered.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, messageFrameBytes, publishProblem } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect } from './helpers.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterEach(() => closeAllClients());
afterAll(() => service.close());

describe('message frame growth on the WebSocket publish path', () => {
  it('a publish whose message frame is over 32 KB is refused even when its raw publish frame is small', async () => {
    const channel = 'room';
    const event = 'message';
    const count = 2000; // "9e20," is 5 bytes raw, 22 bytes re-encoded
    const frameText = `{"action":"publish","channel":"${channel}","event":"${event}","data":{"n":[${Array(count).fill('9e20').join(',')}]}}`;
    expect(Buffer.byteLength(frameText)).toBeLessThan(MAX_MESSAGE_BYTES - 64);
    const data = (JSON.parse(frameText) as { data: { n: number[] } }).data;
    // Every other path refuses this publish.
    expect(messageFrameBytes(channel, event, data)).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(publishProblem(channel, event, data)?.code).toBe('message_too_large');
    const http = await api(service, { action: 'pulsePublish', channel, event, data });
    expect(http.status).toBe(413);

    const subscriber = await connect(service, 'sub', { channel });
    const publisher = await connect(service, 'pub');
    await subscriber.sync();
    publisher.send(frameText);
    const answer = await Promise.race([
      publisher.nextType('error').then((f) => ({ who: 'publisher error', code: f.code })),
      subscriber.nextType('message').then((f) => ({ who: 'subscriber got message', bytes: Buffer.byteLength(JSON.stringify(f)) })),
    ]);
    expect(answer).toEqual({ who: 'publisher error', code: 'message_too_large' });
  });

  it('a publish whose number JSON cannot carry (1e400 parses to Infinity) is refused as over HTTP, not delivered as null', async () => {
    const channel = 'room';
    const event = 'message';
    const frameText = `{"action":"publish","channel":"${channel}","event":"${event}","data":{"n":1e400}}`;
    const data = (JSON.parse(frameText) as { data: { n: number } }).data;
    expect(data.n).toBe(Infinity);
    expect(publishProblem(channel, event, data)?.code).toBe('invalid_argument');
    // The HTTP API, given the same JSON text, refuses it (publishProblem: "holds Infinity").
    const raw = await fetch(service.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"action":"pulsePublish","kbId":"${service.kbId}","apiKey":"${service.apiKey}","channel":"${channel}","event":"${event}","data":{"n":1e400}}`,
    });
    expect(raw.status).toBe(400);

    const subscriber = await connect(service, 'sub', { channel });
    const publisher = await connect(service, 'pub');
    await subscriber.sync();
    publisher.send(frameText);
    const answer = await Promise.race([
      publisher.nextType('error').then((f) => ({ who: 'publisher error', code: f.code })),
      subscriber.nextType('message').then((f) => ({ who: 'subscriber got message', data: f.data })),
    ]);
    expect(answer).toEqual({ who: 'publisher error', code: 'invalid_message' });
  });
});
