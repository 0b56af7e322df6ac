import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { MAX_MESSAGE_BYTES, publishProblem } from '@openkbs-pulse/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Pulse, { type PulseError, type PulseOptions } from '../src/index.js';
import { reachState, roundTrip, tokenFor, waitFor } from './int-helpers.js';

let service: PulseService;
const clients: { disconnect(): void }[] = [];
beforeEach(async () => {
  service = await createPulseService({ host: '127.0.0.1' });
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await service.close();
});
async function pulse(userId: string, options: Partial<PulseOptions> = {}): Promise<Pulse> {
  const client = new Pulse({ kbId: service.kbId, token: await tokenFor(service, userId), endpoint: service.wsUrl, ...options });
  clients.push(client);
  return client;
}

describe('odd channel names over the wire', () => {
  const names = ['caf\u00e9 \u2615', 'a?b&c=d#e', '100%', '  spaced  ', '__proto__', 'constructor', 'x'.repeat(256), '\u{1F600}'.repeat(128), 'a/b\\c'];
  for (const name of names) {
    it(`subscribe + publish round trip on ${JSON.stringify(name.length > 20 ? name.slice(0, 20) + '…' : name)}`, async () => {
      const errors: PulseError[] = [];
      const a = await pulse('alice');
      a.on('error', (e) => errors.push(e));
      const ch = a.channel(name);
      await roundTrip(ch as never);
      expect(errors).toEqual([]);
    });
  }
  for (const name of names) {
    it(`connect-URL channel option ${JSON.stringify(name.length > 20 ? name.slice(0, 20) + '…' : name)} connects and delivers`, async () => {
      const errors: PulseError[] = [];
      const a = await pulse('alice', { channel: name });
      a.on('error', (e) => errors.push(e));
      const got = waitFor('message', (done) => a.channel().subscribe('m', () => done(undefined)), 4000);
      await reachState(a, 'connected');
      await a.channel().publish('m', {});
      await got;
      expect(errors).toEqual([]);
    });
  }

  // A URL turns a lone surrogate into U+FFFD, so the connect URL's channel became another name
  // than the frames' (an outside review): such a name is refused everywhere, by the one rule.
  it('a name with a lone surrogate (cut inside an emoji) is refused with invalid_argument, and as the channel option', async () => {
    const cut = '\u{1F600}'.repeat(128).slice(0, 255);
    const a = await pulse('alice');
    expect(() => a.channel(cut)).toThrow(expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(/well-formed/) }));
    await expect(pulse('bob', { channel: '\uD800lone' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('the 32 KB limit', () => {
  it('the largest publish the client accepts is delivered (not refused by the service)', async () => {
    const a = await pulse('alice');
    const ch = a.channel('big');
    await roundTrip(ch as never);
    // largest ASCII payload the client's check accepts
    let lo = 0;
    let hi = MAX_MESSAGE_BYTES;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (publishProblem('big', 'e', { s: 'x'.repeat(mid) })) hi = mid - 1;
      else lo = mid;
    }
    const errors: PulseError[] = [];
    a.on('error', (e) => errors.push(e));
    const got = waitFor<number>('big message', (done) => ch.subscribe('e', (d) => done((d as unknown as { s: string }).s.length)));
    await ch.publish('e', { s: 'x'.repeat(lo) });
    expect(await got).toBe(lo);
    // one more byte is refused by the client with message_too_large
    await expect(ch.publish('e', { s: 'x'.repeat(lo + 1) })).rejects.toMatchObject({ code: 'message_too_large' });
    expect(errors.map((e) => e.code)).toEqual(['message_too_large']);
  });
  it('multi-byte: the largest publish of 3-byte characters the client accepts is delivered', async () => {
    const a = await pulse('alice');
    const ch = a.channel('big3');
    await roundTrip(ch as never);
    let lo = 0;
    let hi = MAX_MESSAGE_BYTES;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (publishProblem('big3', 'e', { s: '\u20ac'.repeat(mid) })) hi = mid - 1;
      else lo = mid;
    }
    const got = waitFor<number>('big message', (done) => ch.subscribe('e', (d) => done((d as unknown as { s: string }).s.length)));
    await ch.publish('e', { s: '\u20ac'.repeat(lo) });
    expect(await got).toBe(lo);
  });
  it('the largest presence data the client accepts is taken by the service and seen by others', async () => {
    const a = await pulse('alice');
    const b = await pulse('bob');
    const chA = a.channel('pbig');
    const chB = b.channel('pbig');
    const { presenceDataProblem } = await import('@openkbs-pulse/protocol');
    let lo = 0;
    let hi = MAX_MESSAGE_BYTES;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (presenceDataProblem('pbig', { s: 'x'.repeat(mid) })) hi = mid - 1;
      else lo = mid;
    }
    const seen = waitFor<number>('bob sees alice data', (done) =>
      chB.presence.subscribe((members) => {
        const m = members.find((x) => x.userId === 'alice');
        if (m) done((m.data as { s: string }).s.length);
      }),
    );
    await chA.presence.enter({ s: 'x'.repeat(lo) });
    expect(await seen).toBe(lo);
  });
});
