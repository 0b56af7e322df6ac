import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

// ws's frame parser (not in @types/ws): what a real client runs on these bytes.
interface FrameReceiver extends EventEmitter {
  write(chunk: Buffer): void;
}
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean; skipUTF8Validation: boolean }) => FrameReceiver;
};
import { frameText } from '../src/wire.js';

/** Decodes frames with ws's own parser, as a client would. */
function decode(bytes: Buffer): string[] {
  const messages: string[] = [];
  const receiver = new Receiver({ isServer: false, skipUTF8Validation: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    messages.push(data.toString());
  });
  receiver.on('error', (error: Error) => {
    throw error;
  });
  receiver.write(bytes);
  return messages;
}

describe('frameText', () => {
  for (const length of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
    it(`frames a ${length}-byte text payload that ws decodes back`, () => {
      const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
      const payload = Buffer.from(text);
      expect(payload.length).toBe(length);
      const framed = frameText(payload);
      expect(framed[0]).toBe(0x81);
      expect(framed.length).toBe(payload.length + (length < 126 ? 2 : length < 65536 ? 4 : 10));
      expect(decode(framed)).toEqual([text]);
    });
  }

  it('frames several messages that decode in order from one stream', () => {
    const texts = ['{"a":1}', 'x'.repeat(300), '{"b":2}'];
    expect(decode(Buffer.concat(texts.map((t) => frameText(Buffer.from(t)))))).toEqual(texts);
  });
});

describe('no ws internals (issue 12, finding 8)', () => {
  it('no module of the service reads or writes a private field of ws', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../src/', import.meta.url);
    const offenders: string[] = [];
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.ts')) continue;
      const text = readFileSync(new URL(name, dir), 'utf8');
      // ws keeps its state in underscore fields (_socket, _sender, _receiver, _queue, _bufferedAmount…).
      for (const match of text.matchAll(/\b_(socket|sender|receiver|queue|bufferedAmount|readyState|closeFrame\w*|isServer)\b/g)) {
        offenders.push(`${name}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
