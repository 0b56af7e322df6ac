// Issue 11, "promises that never lie, crash or hang": each reproduction of the issue is a test.
// A promise the caller ignores never becomes an unhandled rejection; a promise resolves only when
// the service took the action and rejects when it refused it; nothing throws synchronously from a
// method that returns a promise; every failure is also an `error` event.
import { MAX_MESSAGE_BYTES, type PulseError } from '@openkbs-pulse/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPulseError } from '../src/index.js';
import { flush, makeToken, setupPulse, setupRealtime } from './helpers.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Lets Node report unhandled rejections (they are reported after the microtask queue drains). */
const settleTurn = () => new Promise((resolve) => setTimeout(resolve, 5));

const deep = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
};
const cyclic = (): Record<string, unknown> => {
  const value: Record<string, unknown> = {};
  value.self = value;
  return value;
};

describe('fire-and-forget publish (seed style) never crashes a process', () => {
  it('after disconnect(), with autoConnect: false, with non-object data, over 32 KB, unconfirmed at disconnect()', async () => {
    const { ws, pulse } = setupPulse();
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.accept();
    const chat = pulse.channel('chat');
    // Each call below is ignored, as the seed's code ignores publish()'s promise.
    void chat.publish('m', [1, 2] as never);
    void chat.publish('m', { text: 'x'.repeat(MAX_MESSAGE_BYTES) });
    void chat.publish('m', { text: 'unconfirmed' }); // sent, never confirmed
    pulse.disconnect(); // as the seed advises on unmount
    void chat.publish('m', { text: 'after disconnect' });
    const idle = setupPulse({ autoConnect: false }).pulse;
    void idle.channel('chat').publish('m', { text: 'never connected' });
    await settleTurn();
    expect(unhandled).toEqual([]);
    // Rejections of single calls are emitted as they settle; disconnect() reports the publish it dropped at once.
    expect(errors.map((e) => e.code).sort()).toEqual(['disconnected', 'invalid_argument', 'message_too_large', 'not_connected']);
  });

  it('presence calls and Realtime presence.get() ignored while they fail do not crash either', async () => {
    const { realtime } = setupRealtime({ autoConnect: false });
    const posts = realtime.channels.get('posts');
    void posts.presence.enter({ a: 1 });
    void posts.presence.get();
    void posts.publish('p', {});
    await settleTurn();
    expect(unhandled).toEqual([]);
  });
});

describe('nothing throws synchronously from a promise-returning call', () => {
  for (const [name, data] of [
    ['BigInt', { n: 10n }],
    ['a cycle', cyclic()],
    ['a function', { f: () => 1 }],
  ] as const) {
    it(`publish and presence.enter with ${name} reject with invalid_argument`, async () => {
      const { ws, pulse } = setupPulse();
      ws.last.accept();
      const chat = pulse.channel('chat');
      let publishing: Promise<void> | undefined;
      let entering: Promise<void> | undefined;
      expect(() => (publishing = chat.publish('m', data as never))).not.toThrow();
      expect(() => (entering = chat.presence.enter(data))).not.toThrow();
      const [published, entered] = await Promise.all([publishing!.catch((e: unknown) => e), entering!.catch((e: unknown) => e)]);
      expect(isPulseError(published) && published.code).toBe('invalid_argument');
      expect(isPulseError(entered) && entered.code).toBe('invalid_argument');
      expect(ws.last.frames.filter((f) => f.action === 'publish' || f.action === 'presence_enter')).toEqual([]);
    });
  }

  it('an invalid event name or channel name rejects, never throws', async () => {
    const { pulse } = setupPulse();
    const error = await pulse.channel('chat').publish('' as never, {}).catch((e: unknown) => e);
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
  });
});

describe('a publish the service would refuse never resolves', () => {
  it('data nested deeper than the frame limit is refused before sending', async () => {
    const { ws, pulse } = setupPulse();
    ws.autoPong = true;
    ws.last.accept();
    const error = await pulse.channel('c').publish('m', deep(70)).catch((e: unknown) => e);
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
    expect((error as Error).message).toMatch(/levels deep/);
    expect(ws.last.frames).toEqual([]);
  });

  it('an own __proto__ key (JSON.parse of user input) is refused before sending', async () => {
    const { ws, pulse } = setupPulse();
    ws.autoPong = true;
    ws.last.accept();
    const input = JSON.parse('{"note":{"__proto__":{"admin":true}}}') as Record<string, unknown>;
    const error = await pulse.channel('c').publish('m', input).catch((e: unknown) => e);
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
    expect((error as Error).message).toMatch(/__proto__/);
    expect(ws.last.frames).toEqual([]);
  });

  it('an error frame for the channel before the confirming pong rejects the publish with its code', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    const sent = pulse.channel('c').publish('m', { n: 1 }).catch((e: unknown) => e);
    ws.last.receive({ type: 'error', error: 'too many frames', code: 'rate_limited', channel: 'c' });
    ws.last.pong(); // the pong must not confirm a refused publish
    const error = await sent;
    expect(isPulseError(error) && error.code).toBe('rate_limited');
    expect(errors.map((e) => e.code)).toEqual(['rate_limited']); // once, not once more for the rejection
  });

  it('an error frame for another channel leaves the publish to be confirmed', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const sent = pulse.channel('c').publish('m', { n: 1 });
    ws.last.receive({ type: 'error', error: 'no', code: 'forbidden', channel: 'other' });
    ws.last.pong();
    await expect(sent).resolves.toBeUndefined();
  });

  it('presence enter/update/leave reject when the client never connected (autoConnect: false)', async () => {
    const { pulse } = setupPulse({ autoConnect: false });
    const presence = pulse.channel('room').presence;
    const results = await Promise.all([presence.enter({}).catch((e: unknown) => e), presence.update({}).catch((e: unknown) => e)]);
    expect(results.map((e) => isPulseError(e) && e.code)).toEqual(['not_connected', 'not_connected']);
    await expect(presence.leave()).resolves.toBeUndefined(); // never entered: nothing to leave
  });

  it('presence.enter resolves only once the service has it (the pong of a ping sent after it)', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    let entered = false;
    const entering = pulse.channel('room').presence.enter({ name: 'Ada' }).then(() => (entered = true));
    await flush();
    expect(entered).toBe(false);
    ws.last.pong();
    await entering;
    expect(entered).toBe(true);
  });
});

describe('auth answers and token claims are checked, never crash', () => {
  it('an authCallback answer whose endpoint is not a URL is a typed, retried failure', async () => {
    let calls = 0;
    const good = makeToken({ exp: 4_102_444_800, userId: 'fresh' });
    const { ws, pulse, clock } = setupPulse({
      authCallback: () => (++calls === 1 ? { token: good, endpoint: 'not a url' } : { token: good }),
    });
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.accept();
    ws.last.drop(4001);
    await flush();
    expect(errors.map((e) => e.code)).toEqual(['invalid_response']);
    expect(errors[0]!.message).toMatch(/endpoint/);
    expect(() => clock.advance(1000)).not.toThrow(); // retry with the old token: refused as expired again
    ws.last.drop(4001);
    await flush();
    clock.advance(2000); // a refresh after a failed one waits its backoff step
    expect(ws.last.query.get('token')).toBe(good);
  });

  it('a token whose endpoint claim is not a URL is refused with a PulseError, not a TypeError', () => {
    let error: unknown;
    try {
      setupPulse({ token: makeToken({ endpoint: 'javascript:alert(1)' }) });
    } catch (e) {
      error = e;
    }
    expect(isPulseError(error) && error.code).toBe('invalid_token');
  });

  it('a refusal body {"code":"constructor"} on a 500 is not trusted: a server error, retried', async () => {
    const { ws, pulse } = setupPulse();
    const errors: PulseError[] = [];
    pulse.on('error', (e) => errors.push(e));
    ws.last.refuse(500, { code: 'constructor', error: 'x' });
    await flush();
    expect(pulse.state).toBe('reconnecting');
    expect(errors.map((e) => e.code)).toEqual(['network_error']);
  });
});

describe('errors emitted once per client', () => {
  // Found by review: one set of emitted errors for all clients meant that a rejection carrying an
  // error object another client had emitted (a WebSocket whose send throws one shared error) was
  // not emitted by the second client.
  it('two clients rejecting with the same error object each emit it', async () => {
    const shared = new Error('send failed');
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { ws, pulse } = setupPulse();
      let errors = 0;
      pulse.on('error', () => errors++);
      ws.last.accept();
      ws.last.send = () => {
        throw shared;
      };
      await pulse.channel('c').publish('e', {}).catch(() => {});
      await flush();
      counts.push(errors);
    }
    expect(counts).toEqual([1, 1]);
  });
});

// Found by an outside review: a getter or Proxy trap of the data that throws something other than
// an Error (a string, a number, undefined) made the error bookkeeping throw in turn (a WeakSet of a
// primitive), which ended a Node process with an unhandled rejection and emitted nothing.
describe('data whose getters or Proxy traps throw', () => {
  /* eslint-disable no-throw-literal -- what user data may throw is the point of these cases */
  const hostile = (): Record<string, unknown> => ({
    'a getter of type that throws a string': {
      get type() {
        throw 'boom';
      },
    },
    'a Proxy whose has trap throws a number': new Proxy({}, { has: () => { throw 42; } }),
    'a Proxy whose get trap throws a number': new Proxy({}, { get: () => { throw 42; } }),
    'a toJSON that throws undefined': { toJSON: () => { throw undefined; } },
    'a revoked Proxy': (() => {
      const r = Proxy.revocable({}, {});
      r.revoke();
      return r.proxy;
    })(),
  });
  /* eslint-enable no-throw-literal */

  it('publish and presence.enter reject with invalid_argument (the thrown value as cause), emit it, and never throw or crash', async () => {
    const { ws, pulse } = setupPulse();
    const { ws: ws2, realtime } = setupRealtime();
    ws.autoPong = ws2.autoPong = true;
    ws.last.accept();
    ws2.last.accept();
    const errors: unknown[] = [];
    pulse.on('error', (e) => errors.push(e));
    realtime.on('error', (e) => errors.push(e));
    const outcomes: Promise<unknown>[] = [];
    for (const data of Object.values(hostile())) {
      outcomes.push(
        pulse.channel('chat').publish('ev', data as never),
        pulse.channel('chat').presence.enter(data),
        realtime.channels.get('chat').publish('ev', data as never),
        realtime.channels.get('chat').presence.enter(data),
      );
    }
    const settled = await Promise.allSettled(outcomes);
    await settleTurn();
    expect(unhandled).toEqual([]);
    // A Proxy whose `has` throws still serialises (to {}), and nothing asks it `in` (the checks
    // read `data.type`): its two publishes and two enters are taken.
    const rejected = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as PulseError] : []));
    expect(settled.length - rejected.length).toBe(4);
    for (const reason of rejected) expect(isPulseError(reason) && reason.code).toBe('invalid_argument');
    // The fake service answers pings but no presence request: each of the two accepted enters also
    // reports that request's missing sync (invalid_response).
    expect(errors.filter((e) => (e as PulseError).code === 'invalid_argument')).toHaveLength(rejected.length);
    expect(errors.filter((e) => (e as PulseError).code !== 'invalid_argument').map((e) => (e as PulseError).code)).toEqual(['invalid_response', 'invalid_response']);
  });
});
