// An outside review found: the client's publish check took a boxed primitive as an object.
// drift between the client's publish check and the service's.
// publishProblem judges the JS value (`isObject(new String('hi'))` is true), but what travels is its
// JSON, and JSON.stringify unwraps boxed primitives: the frame carries `"data":"hi"`, which the
// service's parseClientAction refuses ("data must be a JSON object"). So the client sends what the
// service refuses, and the service's refusal (a parse failure) names no channel, so the client's
// queue rejects EVERY unconfirmed publish, on every channel, including ones the service delivered.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import Npm from '../src/index.js';
import PulseJs from '../../../test-helpers/pulse-js.js';
import { reachState, serviceForEachTest, tokenFor, waitFor } from './int-helpers.js';

const local = serviceForEachTest();

const builds = [
  ['npm build', Npm],
  ['pulse.js', PulseJs],
] as const;

async function connected(P: typeof Npm, user: string) {
  const client = new P({ kbId: local.service.kbId, token: await tokenFor(local.service, user), endpoint: local.service.wsUrl, WebSocket: WebSocket as never });
  local.track(client);
  client.on('error', () => {});
  await reachState(client, 'connected');
  return client;
}

async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'resolved',
    (e: { code?: string }) => `rejected ${e.code}`,
  );
}

describe.each(builds)('%s: publish of a boxed primitive (new String / new Number)', (_name, P) => {
  it('is refused before sending with invalid_argument, as the service would refuse it (nothing on the wire)', async () => {
    const client = await connected(P, 'alice');
    const refused: string[] = [];
    local.service.on('rejected', (code, message) => refused.push(`${code}: ${message}`));
    const result = await outcome(client.channel('a').publish('e', new String('hi') as never));
    // Give the service a moment to answer anything that was sent.
    await new Promise((r) => setTimeout(r, 100));
    // actual: sent as {"data":"hi"}; the service refused it (invalid_message: data must be a JSON object)
    expect({ result, serviceRefused: refused }).toEqual({ result: 'rejected invalid_argument', serviceRefused: [] });
  });

  it("does not reject another channel's publish that the service delivered", async () => {
    const client = await connected(P, 'alice');
    const watcher = await connected(Npm, 'bob');
    const got = waitFor<unknown>('b message', (done) => watcher.channel('b').subscribe('e', (d) => done(d)));
    // Let bob's subscription reach the service.
    await new Promise((r) => setTimeout(r, 100));
    const onA = outcome(client.channel('a').publish('e', new Number(1) as never));
    const onB = outcome(client.channel('b').publish('e', { n: 1 }));
    const delivered = await got;
    expect(delivered).toEqual({ n: 1, type: 'e' });
    // actual: the publish to "b" rejects with invalid_message although bob received it
    expect({ b: await onB, a: await onA }).toEqual({ b: 'resolved', a: 'rejected invalid_argument' });
  });
});
