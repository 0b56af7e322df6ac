// An outside review found: with a fake clock past the year 2286 (createFakeClock takes any time up
// to MAX_TIME_MS) or after a fractional advance(), the service delivered message frames over 32 KB
// for publishes the size rule accepted: messageFrameBytes counts a 13-digit timestamp, and the
// service stamped 16 digits, or 1704067200000.25. Now the service stamps whole milliseconds
// (stamp.ts) and counts a publish's message frame with the time it will stamp (publishProblem's
// timestamp): over 32 KB that way, the publish is refused (413), never delivered over the limit.
import { afterEach, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, messageFrameBytes, publishProblem } from '@openkbs-pulse/protocol';
import { createFakeClock, createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

/** Data whose message frame, as the protocol counts it, is exactly MAX_MESSAGE_BYTES. */
function dataAtTheLimit(channel: string, event: string): { p: string } {
  const overhead = messageFrameBytes(channel, event, { p: '' });
  const data = { p: 'x'.repeat(MAX_MESSAGE_BYTES - overhead) };
  expect(messageFrameBytes(channel, event, data)).toBe(MAX_MESSAGE_BYTES);
  expect(publishProblem(channel, event, data)).toBeUndefined();
  return data;
}

it.each([
  ['a clock in the year 3000', () => createFakeClock(Date.UTC(3000, 0, 1))],
  ['a clock advanced by 0.25 ms', () => {
    const clock = createFakeClock();
    clock.advance(0.25);
    return clock;
  }],
])('never delivers a message frame over 32 KB for an accepted HTTP publish (%s)', async (_name, makeClock) => {
  service = await createPulseService({ clock: makeClock() });
  const subscriber = await connect(service, 'reader', { channel: 'room' });
  const sizes: number[] = [];
  subscriber.ws.on('message', (raw) => sizes.push(Buffer.byteLength(raw as Buffer)));

  const answer = await api(service, { action: 'pulsePublish', channel: 'room', event: 'e', data: dataAtTheLimit('room', 'e') });
  if (answer.status === 200) {
    await subscriber.nextType('message');
    expect(sizes[0]).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  } else {
    // Refusing it (413) would keep the promise too.
    expect(answer.status).toBe(413);
  }
});
