// An outside review found: the server SDK's publish check against the service's (publishProblem) and the
// client's. The protocol says (outgoing.ts): "the one check of a publish ... used by the server
// SDK before it calls the HTTP API. A value that passes here is never refused by the service".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { MAX_MESSAGE_BYTES, messageFrameBytes, publishProblem, encodeFrame, utf8ByteLength } from '@openkbs-pulse/protocol';
import { createPulseClient, validatePublish, type PulseClient } from '../src/client.js';
import { connectRaw, type RawPeer } from './ws-peer.js';

let service: PulseService;
let client: PulseClient;
let peer: RawPeer;

beforeAll(async () => {
  service = await createPulseService();
  client = createPulseClient({ apiUrl: service.apiUrl, kbId: service.kbId, apiKey: service.apiKey, env: () => ({}), retries: 0 });
  const { token, endpoint } = await client.getToken('watcher');
  peer = await connectRaw(endpoint, service.kbId, token, 'c');
});
afterAll(async () => {
  await peer.close();
  await client.close();
  await service.close();
});

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { x: value };
  return value;
}

async function outcome(promise: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; code: string; status?: number; name: string }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    const e = error as { code: string; status?: number; name: string };
    return { ok: false, code: e.code, status: e.status, name: e.name };
  }
}

describe('server SDK publish: refused before sending, as the protocol check refuses it', () => {
  it('data nested 70 levels: invalid_argument before sending (not a 400 invalid_message from the service)', async () => {
    const data = nested(70);
    expect(publishProblem('c', 'e', data)?.code).toBe('invalid_argument'); // the protocol's one check refuses it
    const result = await outcome(client.publish('c', 'e', data));
    // actual: PulseApiError invalid_message, HTTP 400 (the request was sent; docs/errors.md calls that "a bug in the SDK or the service")
    expect(result).toMatchObject({ ok: false, code: 'invalid_argument' });
  });

  it('data holding NaN / a Map: refused before sending, not silently sent as null / {}', async () => {
    for (const data of [{ n: Number.NaN }, { n: Number.POSITIVE_INFINITY }, { m: new Map([['k', 1]]) }]) {
      expect(publishProblem('c', 'e', data)?.code).toBe('invalid_argument');
      const result = await outcome(client.publish('c', 'e', data));
      if (result.ok) {
        const frame = await peer.next((f) => f.type === 'message' && (f as { data: { type: string } }).data.type === 'e');
        peer.frames.length = 0;
        // actual: published, and the subscriber got {"n":null} / {"m":{}}: the value changed silently
        expect(`sent; subscriber received ${JSON.stringify((frame as { data: unknown }).data)}`).toBe('refused before sending: invalid_argument');
      }
      expect(result).toMatchObject({ ok: false, code: 'invalid_argument' });
    }
  });

  it('a data object with an own __proto__ key (from JSON.parse of user input): invalid_argument before sending', async () => {
    const data = JSON.parse('{"__proto__": {"admin": true}, "text": "hi"}') as object;
    expect(publishProblem('c', 'e', data)?.code).toBe('invalid_argument');
    const result = await outcome(client.publish('c', 'e', data));
    expect(result).toMatchObject({ ok: false, code: 'invalid_argument' });
  });

  it('a publish whose message frame fits 32 KB but whose publish frame does not is refused before sending (message_too_large), as the service refuses it', async () => {
    // data carries type = event already (allowed), the event name is long: the publish frame
    // {"action":"publish","channel","event","data"} is then larger than the message frame.
    const event = 'e'.repeat(128);
    const base = { type: event, text: '' };
    const fill = MAX_MESSAGE_BYTES - messageFrameBytes('c', event, base);
    const data = { type: event, text: 'x'.repeat(fill) };
    expect(messageFrameBytes('c', event, data)).toBe(MAX_MESSAGE_BYTES);
    const publishFrame = utf8ByteLength(encodeFrame({ action: 'publish', channel: 'c', event, data }));
    expect(publishFrame).toBeGreaterThan(MAX_MESSAGE_BYTES); // this is why the service refuses it
    // The SDK refuses it before sending, as the service would: not "OK locally, 413 remotely".
    expect(() => validatePublish('c', event, data)).toThrow(expect.objectContaining({ code: 'message_too_large' }));
    const result = await outcome(client.publish('c', event, data));
    expect(result.ok ? 'sent' : result.name === 'PulseApiError' ? `service refused: ${result.code} ${result.status}` : 'refused before sending').toBe('refused before sending');
  });
});
