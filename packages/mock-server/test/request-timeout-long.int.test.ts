// An outside review found: requestTimeoutMs is "practically never" (2 ** 31 ms, as the SDK's timeoutMs the clamp was for):
// the body-read timer is a runtime setTimeout, which fires after 1 ms beyond 2^31 - 1.
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { PulseError } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

function slowPost(port: number, body: string, delayMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c) => (text += c.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
    socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
    setTimeout(() => socket.write(body), delayMs);
  });
}

it('requestTimeoutMs: 2 ** 31 does not time every HTTP body out at once', async () => {
  service = await createPulseService({ requestTimeoutMs: 2 ** 31 });
  const body = JSON.stringify({ action: 'pulseStatus', kbId: service.kbId, apiKey: service.apiKey });
  const answer = await slowPost(service.port, body, 50);
  expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
});

it('requestTimeoutMs: Infinity is accepted as "no bound", or refused with a typed error', async () => {
  let caught: unknown;
  try {
    service = await createPulseService({ requestTimeoutMs: Infinity });
  } catch (error) {
    caught = error;
  }
  if (caught !== undefined) {
    expect(caught).toBeInstanceOf(PulseError);
    return;
  }
  const body = JSON.stringify({ action: 'pulseStatus', kbId: service!.kbId, apiKey: service!.apiKey });
  const answer = await slowPost(service!.port, body, 50);
  expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
});
