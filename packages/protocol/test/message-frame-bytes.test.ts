import { describe, expect, it } from 'vitest';
import { encodeFrame, mergeEventIntoData, messageFrameBytes, type MessageFrame } from '@openkbs-pulse/protocol';

const deliveredBytes = (channel: string, event: string, data: Record<string, unknown> | null | undefined, timestamp: number) => {
  const frame: MessageFrame = { type: 'message', channel, data: mergeEventIntoData(event, data), timestamp };
  return new TextEncoder().encode(encodeFrame(frame)).length;
};

describe('messageFrameBytes', () => {
  it('is the UTF-8 size of the message frame the service delivers (13-digit timestamp)', () => {
    const cases: Array<[string, string, Record<string, unknown> | null | undefined]> = [
      ['chat', 'new_message', { text: 'Hello', user: 'John' }],
      ['chat', 'e', undefined],
      ['chat', 'e', null],
      ['café ☕', 'évènement', { text: '😀 é', nested: { list: [1, 'two', null] } }],
      ['c', 'same', { type: 'same', n: 1 }],
    ];
    for (const [channel, event, data] of cases) {
      expect(messageFrameBytes(channel, event, data)).toBe(deliveredBytes(channel, event, data, 1_704_067_200_000));
    }
  });

  it('counts the channel and the frame envelope, not only the data', () => {
    const data = { text: 'x' };
    const dataOnly = new TextEncoder().encode(JSON.stringify(mergeEventIntoData('e', data))).length;
    expect(messageFrameBytes('c', 'e', data)).toBeGreaterThan(dataOnly);
    expect(messageFrameBytes('c'.repeat(200), 'e', data) - messageFrameBytes('c', 'e', data)).toBe(199);
  });
});
