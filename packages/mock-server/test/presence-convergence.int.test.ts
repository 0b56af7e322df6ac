// Issue 12, finding 3: presence converges. Whatever the order of fan-outs and drops, no member
// stays on any client after the service dropped it. The rule: a connection whose buffer overflows
// during a fan-out gets nothing more and is closed (its `leave` broadcast) once that fan-out ends.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect, nextEvent, type Frame, type RawClient } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

/** What a client believes the presence set of `channel` is: enter/update set, leave deletes. */
function members(client: RawClient, channel: string): string[] {
  const set = new Set<string>();
  for (const frame of client.frames as (Frame & { action?: string; channel?: string; member?: { connectionId: string } })[]) {
    if (frame.type !== 'presence' || frame.channel !== channel || !frame.member) continue;
    if (frame.action === 'leave') set.delete(frame.member.connectionId);
    else if (frame.action === 'enter' || frame.action === 'update') set.add(frame.member.connectionId);
  }
  return [...set].sort();
}

/** The service's presence set of `channel` (connection ids). */
async function serviceMembers(s: PulseService, channel: string): Promise<string[]> {
  const { body } = await api<{ members: { connectionId: string }[] }>(s, { action: 'pulsePresence', channel });
  return body.members.map((m) => m.connectionId).sort();
}

const idOf = (s: PulseService, userId: string) => s.connections().find((c) => c.userId === userId)!.connectionId;

describe('presence convergence', () => {
  it('a slow consumer dropped during the fan-out of its own update leaves no ghost on the others', async () => {
    service = await createPulseService({ maxBufferedBytes: 64 * 1024 });
    // The slow one subscribes first, so each fan-out reaches it before the watcher.
    const slow = await connect(service, 'slow', { channel: 'room' });
    const watcher = await connect(service, 'watcher', { channel: 'room' });
    const slowId = idOf(service, 'slow');
    slow.ws.pause(); // it stops reading; only its own updates are sent to it
    const dropped = nextEvent(service, 'close', 15_000);
    let gone = false;
    void dropped.then(() => (gone = true));
    const pad = 'x'.repeat(30_000);
    // Each round: the slow client updates its presence; the service fans the update out to the
    // slow client (its buffer grows) and then to the watcher. The drop happens inside such a fan-out.
    for (let round = 0; round < 2000 && !gone; round++) {
      slow.send({ action: 'presence_update', channel: 'room', data: { round, pad } });
      await watcher.next((f) => f.type === 'presence' && (f as { member?: { data?: { round?: number } } }).member?.data?.round === round || f.type === 'presence' && f.action === 'leave');
    }
    const [info, code] = await dropped;
    expect(info.connectionId).toBe(slowId);
    expect(code).toBe(CLOSE_CODES.slowConsumer);
    await watcher.sync();
    expect(await serviceMembers(service, 'room')).toEqual([]);
    expect(members(watcher, 'room')).toEqual([]);
    // The watcher's last frame about the slow member is its leave.
    const last = watcher.frames.filter((f) => f.type === 'presence' && (f as { member?: { connectionId: string } }).member?.connectionId === slowId).at(-1);
    expect(last).toMatchObject({ action: 'leave' });
  });

  it('property: after random enters, updates, leaves, kills and closes across clients, every client agrees with the service', async () => {
    const op = fc.record({
      who: fc.nat(3),
      kind: fc.constantFrom('enter', 'update', 'leave', 'kill', 'close'),
      channel: fc.constantFrom('a', 'b'),
      size: fc.nat(2_000),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 80 }), async (ops) => {
        const s = await createPulseService({ maxFramesPerSecond: 1e6, maxFrameBurst: 1e6 });
        try {
          const clients: RawClient[] = [];
          for (let i = 0; i < 4; i++) {
            const client = await connect(s, `u${i}`, { channel: 'a' });
            client.send({ action: 'subscribe', channel: 'b' });
            await client.sync();
            clients.push(client);
          }
          const ids = clients.map((_, i) => idOf(s, `u${i}`));
          // All at once, without waiting: kills land between frames still in flight.
          const gone = new Set<RawClient>();
          for (const { who, kind, channel, size } of ops) {
            const client = clients[who]!;
            if (gone.has(client)) continue;
            if (kind === 'kill' || kind === 'close') gone.add(client);
            if (kind === 'kill') s.kill(ids[who]!);
            else if (kind === 'close') client.ws.close();
            else if (kind === 'leave') client.send({ action: 'presence_leave', channel });
            else client.send({ action: kind === 'enter' ? 'presence_enter' : 'presence_update', channel, data: { pad: 'z'.repeat(size) } });
          }
          // Closing handshakes finish, then each live client's round trip: every frame it sent is
          // handled and every frame for it has arrived.
          await Promise.all([...gone].map((c) => c.closed));
          const open = clients.filter((c) => !gone.has(c));
          for (const client of open) await client.sync();
          for (const client of open) await client.sync();
          expect(s.connections().map((c) => c.connectionId).sort()).toEqual(open.map((c) => ids[clients.indexOf(c)]).sort());
          for (const channel of ['a', 'b']) {
            const truth = await serviceMembers(s, channel);
            for (const client of open) expect(members(client, channel)).toEqual(truth);
          }
        } finally {
          closeAllClients();
          await s.close();
        }
      }),
      { numRuns: 40, seed: 12 },
    );
  }, 120_000);
});
