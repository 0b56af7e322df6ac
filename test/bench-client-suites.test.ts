// The pure parts of the client benchmark suites (bench/suites/reconnect-herd.mjs,
// client-memory.mjs, bench/lib/ws-frame.mjs): the busiest-window count the herd's jitter limit is
// judged by, the per-constructor difference handed to the engine's authors, and the frames the
// paced sender writes straight to sockets (which a real `ws` receiver must read back unchanged).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript bench suite
import { busiestWindow } from '../bench/suites/reconnect-herd.mjs';
// @ts-expect-error plain JavaScript bench suite
import { extraByConstructor } from '../bench/suites/client-memory.mjs';
// @ts-expect-error plain JavaScript bench library
import { wsFrame } from '../bench/lib/ws-frame.mjs';

const require = createRequire(import.meta.url);

describe('busiestWindow', () => {
  it('counts the most times inside any window of the width, which may start anywhere', () => {
    expect(busiestWindow([0, 50, 99, 100, 150, 199, 260], 100)).toBe(3); // e.g. [99, 199) holds 99, 100, 150
    expect(busiestWindow([300, 0, 10, 20, 95], 100)).toBe(4); // unsorted input
    expect(busiestWindow([1000, 0, 500], 100)).toBe(1);
    expect(busiestWindow([], 100)).toBe(0);
  });

  it('a window is half-open: times exactly one width apart are in different windows', () => {
    expect(busiestWindow([0, 100, 200], 100)).toBe(1);
  });
});

describe('extraByConstructor', () => {
  it('is the client growth minus the bare client growth, largest first, small ones left out', () => {
    const pulse = [
      { key: 'object: Map', countPerClient: 5, bytesPerClient: 400 },
      { key: 'object: WebSocket', countPerClient: 1, bytesPerClient: 200 },
      { key: 'closure: emit', countPerClient: 3, bytesPerClient: 900 },
    ];
    const ws = [{ key: 'object: WebSocket', countPerClient: 1, bytesPerClient: 190 }];
    expect(extraByConstructor(pulse, ws)).toEqual([
      { key: 'closure: emit', count: 3, bytes: 900 },
      { key: 'object: Map', count: 5, bytes: 400 },
    ]);
  });
});

describe('wsFrame', () => {
  it.each([0, 5, 125, 126, 300, 65_535])('a %i-byte text reads back unchanged through ws', async (length) => {
    const { Receiver } = require('ws') as { Receiver: new (options: object) => NodeJS.WritableStream & { on(e: 'message', f: (d: Buffer, b: boolean) => void): void } };
    const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
    const got: [string, boolean][] = [];
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data, isBinary) => got.push([data.toString(), isBinary]));
    await new Promise<void>((resolve, reject) => receiver.write(Buffer.concat([wsFrame(text), wsFrame('next')]), (error) => (error ? reject(error) : resolve())));
    expect(got).toEqual([
      [text, false],
      ['next', false],
    ]);
  });

  it('refuses a text of 64 KiB or more (the sender would need the 8-byte length form)', () => {
    expect(() => wsFrame('x'.repeat(65_536))).toThrow(/under 64 KiB/);
  });
});
