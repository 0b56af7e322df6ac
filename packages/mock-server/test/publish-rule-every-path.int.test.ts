// An outside review found: a WebSocket publish whose publish frame fit 32 KB but whose message
// frame did not was delivered, while the HTTP API, the SDK and the client refused it (413).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, MAX_MESSAGE_BYTES, messageFrameBytes, publishProblem } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect } from './helpers.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterEach(() => closeAllClients());
afterAll(() => service.close());

/** Data whose publish frame is exactly MAX_MESSAGE_BYTES bytes. */
function boundaryData(channel: string, event: string): { text: string } {
  const empty = encodeFrame({ action: 'publish', channel, event, data: { text: '' } }).length;
  return { text: 'x'.repeat(MAX_MESSAGE_BYTES - empty) };
}

describe('one publish rule on every path', () => {
  it('a publish refused by the HTTP API (and the SDK) for its size is refused over WebSocket too', async () => {
    const channel = 'room';
    const event = 'message';
    const data = boundaryData(channel, event);
    const frameText = encodeFrame({ action: 'publish', channel, event, data });
    expect(Buffer.byteLength(frameText)).toBe(MAX_MESSAGE_BYTES);
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
});
