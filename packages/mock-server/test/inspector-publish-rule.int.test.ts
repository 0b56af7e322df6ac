// An outside review found: The inspector's publish action (inspector.ts run(), op 'publish') keeps its own copy of the
// publish rule and measures only the message frame. publishProblem (the one rule, used by the HTTP
// API, the SDKs and the client) measures both the publish frame and the message frame. With
// data.type equal to a long multi-byte event name the publish frame is the larger one, so the
// inspector delivers a publish every other path refuses with message_too_large.
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { buildConnectUrl, encodeFrame, MAX_MESSAGE_BYTES, messageFrameBytes, publishProblem } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect, openClient, type Frame, type RawClient } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end();
  });
}

type Message = Frame & { data: Record<string, unknown> };

async function act(feed: RawClient, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = Math.random();
  feed.send({ action: 'publish', channel: 'inspector', event: 'action', data: { id, ...fields } });
  const frame = await feed.next<Message>((f) => f.type === 'message' && (f as Message).data.type === 'result' && (f as Message).data.id === id);
  return frame.data;
}

describe('the inspector publish follows publishProblem', () => {
  it('a publish whose publish frame is over 32 KB (refused by HTTP and the SDKs) is refused by the inspector too', async () => {
    service = await createPulseService();
    const channel = 'room';
    const event = '\u20ac'.repeat(128); // 384 UTF-8 bytes
    // Largest text whose message frame fits 32 KB.
    let n = MAX_MESSAGE_BYTES;
    while (messageFrameBytes(channel, event, { type: event, text: 'x'.repeat(n) }) > MAX_MESSAGE_BYTES) n--;
    const data = { type: event, text: 'x'.repeat(n) };
    const publishFrameBytes = Buffer.byteLength(encodeFrame({ action: 'publish', channel, event, data }));
    expect(publishFrameBytes).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(publishProblem(channel, event, data)?.code).toBe('message_too_large');
    expect((await api(service, { action: 'pulsePublish', channel, event, data })).status).toBe(413);

    const grant = JSON.parse(await get(`${service.url}/_inspector/session`)) as { kbId: string; token: string; endpoint: string; channel: string };
    const feed = await openClient(buildConnectUrl(grant.endpoint, { kbId: grant.kbId, token: grant.token }));
    const subscriber = await connect(service, 'sub', { channel });
    await subscriber.sync();
    const result = await act(feed, { op: 'publish', kbId: service.kbId, channel, event, data });
    expect({ ok: result.ok, code: result.code }).toEqual({ ok: false, code: 'message_too_large' });
  });
});
