// An outside review found: the service's frame-rate refusal (`rate_limited`, service.ts receive())
// names no channel, and the client's queue rejects every unconfirmed entry when an error frame names
// no channel (queue.ts _refuse). The client does not pace itself to the service's burst
// (MAX_FRAME_BURST = 1000, protocol limits.ts), so a loop of 1,050 publishes on one channel makes the
// publish to ANOTHER channel, sent in between and delivered by the service, reject with rate_limited:
// a promise that rejects although the service took the action.
import { MAX_FRAME_BURST } from '@openkbs-pulse/protocol';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import Npm from '../src/index.js';
import PulseJs from '../../../test-helpers/pulse-js.js';
import { reachState, serviceForEachTest, tokenFor, waitFor } from './int-helpers.js';

const local = serviceForEachTest();

async function connected(P: typeof Npm, user: string) {
  const client = new P({ kbId: local.service.kbId, token: await tokenFor(local.service, user), endpoint: local.service.wsUrl, WebSocket: WebSocket as never });
  local.track(client);
  client.on('error', () => {});
  await reachState(client, 'connected');
  return client;
}

describe.each([
  ['npm build', Npm],
  ['pulse.js', PulseJs],
] as const)('%s: a burst over the service frame rate', (_name, P) => {
  it('does not reject a delivered publish to another channel', async () => {
    const client = await connected(P, 'alice');
    const watcher = await connected(Npm, 'bob');
    const got = waitFor<unknown>('b message', (done) => watcher.channel('b').subscribe('e', (d) => done(d)), 5000);
    await new Promise((r) => setTimeout(r, 100));
    const settle = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string }) => `rejected ${e.code}`);
    const burst: Promise<string>[] = [settle(client.channel('a').publish('e', { i: 0 }))];
    const onB = settle(client.channel('b').publish('e', { to: 'b' }));
    for (let i = 1; i < MAX_FRAME_BURST + 50; i++) burst.push(settle(client.channel('a').publish('e', { i })));
    expect(await got).toEqual({ to: 'b', type: 'e' }); // the service delivered it
    // It was rejected with rate_limited: the refusals of later frames on "a" named no channel.
    expect(await onB).toBe('resolved');
  }, 20_000);
});
