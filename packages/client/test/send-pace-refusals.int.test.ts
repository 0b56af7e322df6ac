// An outside review found (real service): a presence enter refused with limit_exceeded (naming channel 'a')
// rejects every unconfirmed publish of 'a', including the ones still waiting for the send pace.
// Those then leave and the service delivers them: subscribers get messages whose publish()
// rejected.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import Pulse from '../src/index.js';
import { reachState, roundTrip, serviceForEachTest, tokenFor } from './int-helpers.js';

const local = serviceForEachTest({ maxPresencePerConnection: 1 });

async function client(user: string) {
  const c = new Pulse({ kbId: local.service.kbId, token: await tokenFor(local.service, user), endpoint: local.service.wsUrl, WebSocket: WebSocket as never });
  local.track(c);
  c.on('error', () => {});
  await reachState(c, 'connected');
  return c;
}

describe('refusal while publishes wait for the pace (real service)', () => {
  it('no message is delivered for a publish() that rejected', async () => {
    const watcher = await client('watcher');
    const got = new Set<number>();
    watcher.channel('a').subscribe('e', (data) => got.add((data as unknown as { i: number }).i));
    await roundTrip(watcher.channel('a'));
    const pub = await client('pub');
    // The service's view: when it refused, and when each publish of 'a' arrived.
    let refusedAt = 0;
    const arrived = new Map<number, number>();
    local.service.on('rejected', (code) => void (code === 'limit_exceeded' && (refusedAt ||= Date.now())));
    local.service.on('action', (a) => void (a.action === 'publish' && arrived.set((a.data as { i: number }).i, Date.now())));
    await pub.channel('b').presence.enter({ n: 1 });
    // Over the presence limit (1): the service refuses this with limit_exceeded naming 'a'.
    const enter = pub.channel('a').presence.enter({ n: 2 });
    const sent = Array.from({ length: 600 }, (_, i) => pub.channel('a').publish('e', { i }));
    const outcomes = await Promise.all(sent.map((p) => p.then(() => 'ok', (e: { code: string }) => e.code)));
    await enter.catch(() => {});
    await new Promise((r) => setTimeout(r, 1500));
    expect(refusedAt).toBeGreaterThan(0);
    // Publishes that reached the service well after its refusal (the client had it by then and
    // had rejected them) but were delivered all the same.
    const sentAfterRejection = outcomes
      .map((o, i) => (o === 'limit_exceeded' && got.has(i) && arrived.get(i)! > refusedAt + 200 ? i : -1))
      .filter((i) => i >= 0);
    expect(sentAfterRejection).toEqual([]);
  }, 15_000);
});
