// Fuzzing the local service over real sockets: generated malformed frames never crash it, each
// one is answered with a typed `error` frame, and other connections are unaffected.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { ERROR_STATUS, buildConnectUrl, type ServerFrame } from '@openkbs-pulse/protocol';
import { malformedClientFrame } from '../test-helpers/malformed-frames.js';
import { openSocket, type RawSocket } from '../test-helpers/raw-socket.js';

const FRAMES = 1_200;
let service: PulseService;
const sockets: RawSocket[] = [];

async function connect(userId: string, channel?: string): Promise<RawSocket> {
  const token = await service.createToken(userId);
  const socket = await openSocket(buildConnectUrl(service.wsUrl, { kbId: service.kbId, token, channel }));
  sockets.push(socket);
  return socket;
}

beforeEach(async () => {
  // Far above the per-connection frame rate: this fuzzer sends thousands of frames a second on purpose.
  service = await createPulseService({ maxFramesPerSecond: 1e6, maxFrameBurst: 1e6 });
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  await service.close();
});

describe('local service fuzz', () => {
  it(`answers ${FRAMES} malformed frames with typed error frames and keeps serving others`, async () => {
    const frames = fc.sample(malformedClientFrame(), { numRuns: FRAMES, seed: 20240808 });
    const fuzzer = await connect('fuzzer');
    const bystander = await connect('bystander', 'room');
    const codes = new Map<string, number>();
    const unexpected: string[] = [];

    for (const frame of frames) {
      fuzzer.send(frame.payload);
      const answer = await fuzzer.next();
      if (!answer.parsed.ok || answer.parsed.value.type !== 'error') {
        unexpected.push(`${frame.reason}: ${answer.text.slice(0, 120)}`);
        continue;
      }
      const error = answer.parsed.value;
      expect(Object.keys(ERROR_STATUS)).toContain(error.code);
      // The service sends the code itself (the parser would fill in server_error otherwise).
      expect(JSON.parse(answer.text)).toHaveProperty('code', error.code);
      codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
    }
    expect(unexpected).toEqual([]);
    expect([...codes.keys()].sort()).toEqual(['invalid_message', 'message_too_large']);
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(FRAMES);

    // Nothing leaked to the bystander, and both connections still work.
    expect(bystander.received).toHaveLength(0);
    fuzzer.send(JSON.stringify({ action: 'publish', channel: 'room', event: 'after', data: { n: 1 } }));
    const delivered = await bystander.nextMatching((f: ServerFrame) => f.type === 'message');
    expect(delivered).toMatchObject({ type: 'message', channel: 'room', data: { type: 'after', n: 1 } });
    fuzzer.send(JSON.stringify({ action: 'ping' }));
    expect((await fuzzer.next()).parsed).toMatchObject({ ok: true, value: { type: 'pong' } });
    expect(service.connections()).toHaveLength(2);
    expect(fuzzer.isClosed).toBe(false);
  });

  it('survives malformed frames from many connections at once, interleaved with valid traffic', async () => {
    const fuzzers = await Promise.all(Array.from({ length: 8 }, (_, i) => connect(`f${i}`)));
    const listener = await connect('listener', 'live');
    const publisher = await connect('publisher');
    const perFuzzer = 150;
    const all = fc.sample(malformedClientFrame(), { numRuns: perFuzzer * fuzzers.length, seed: 7 });
    let published = 0;
    await Promise.all(
      fuzzers.map(async (fuzzer, f) => {
        for (let i = 0; i < perFuzzer; i++) {
          fuzzer.send(all[f * perFuzzer + i]!.payload);
          if (i % 30 === 0) publisher.send(JSON.stringify({ action: 'publish', channel: 'live', event: 'tick', data: { n: published++ } }));
          const answer = await fuzzer.next();
          expect(answer.parsed.ok && answer.parsed.value.type).toBe('error');
        }
      }),
    );
    const seen: number[] = [];
    while (seen.length < published) {
      const frame = await listener.nextMatching((f) => f.type === 'message');
      if (frame.type === 'message') seen.push(frame.data.n as number);
    }
    expect(seen).toEqual(Array.from({ length: published }, (_, i) => i));
    expect(service.connections()).toHaveLength(fuzzers.length + 2);
  });
});
