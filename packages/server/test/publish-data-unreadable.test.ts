// An outside review found: data whose getters or Proxy traps throw escaped publishProblem,
// validatePublish and publish() as the raw exception, not as invalid_argument.
// publishProblem (protocol) is documented "Never throws", and validatePublish / publish (server
// SDK) "@throws PulseError invalid_argument or message_too_large". But publishDataProblem read
// data.toJSON, data.type and Symbol.toStringTag (unboxed) outside any try: data whose `type`
// getter or Proxy get trap threw escaped publishProblem as the raw exception. The browser client
// papered over it (engine._settle wraps a throw as invalid_argument); the server SDK did not:
// publish() rejected with the bare Error, no code, no fix, no docs anchor. Now each read of the
// data, including the second writing that counts its size, reports what it throws as the problem
// "data could not be read: ...".
import { expect, it } from 'vitest';
import { presenceDataProblem, publishDataProblem, publishProblem } from '@openkbs-pulse/protocol';
import { createPulseClient, isPulseError, validatePublish } from '../src/index.js';

const hostile = (): Record<string, object> => ({
  'a type getter that throws': {
    get type() {
      throw new Error('boom');
    },
  },
  'a Proxy whose get trap throws': new Proxy({}, { get: () => { throw new Error('trap'); } }),
  'a revoked Proxy': revoked(),
  'a getter that throws a Proxy whose traps throw': {
    get type() {
      throw new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } });
    },
  },
  // Passes the shape check and JSON's walk; the size is counted by writing the data once more.
  'a getter that throws from its third read on': lateThrower(2),
});

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function lateThrower(reads: number): object {
  let count = 0;
  return Object.defineProperty({}, 'text', {
    enumerable: true,
    get: () => {
      if (++count > reads) throw new Error('read once too often');
      return 'hi';
    },
  });
}

it('says the data could not be read, with what was thrown as the cause', () => {
  const boom = { code: 'invalid_argument', message: 'data could not be read: boom', cause: new Error('boom') };
  expect(publishProblem('chat', 'message', hostile()['a type getter that throws'])).toEqual(boom);
  const late = { code: 'invalid_argument', message: 'data could not be read: read once too often', cause: new Error('read once too often') };
  expect(publishProblem('chat', 'message', lateThrower(2))).toEqual(late);
  // Presence data is counted the same way (written once by its check, once for its size).
  expect(presenceDataProblem('room', lateThrower(1))).toEqual(late);
  // The exported shape rule on its own gives the same words.
  expect(publishDataProblem('message', hostile()['a type getter that throws'])).toBe('data could not be read: boom');
  let thrown: unknown;
  try {
    validatePublish('chat', 'message', hostile()['a type getter that throws']);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({ code: 'invalid_argument', cause: new Error('boom') });
});

// Fresh data for each test: a getter counts its reads.
for (const name of Object.keys(hostile())) {
  const data = (): object => hostile()[name]!;
  it(`publishProblem never throws for ${name}`, () => {
    let outcome: unknown;
    try {
      outcome = publishProblem('chat', 'message', data())?.code;
    } catch (error) {
      outcome = `threw ${String(error)}`;
    }
    expect(outcome).toBe('invalid_argument');
  });

  it(`validatePublish throws PulseError invalid_argument for ${name}`, () => {
    let thrown: unknown;
    try {
      validatePublish('chat', 'message', data());
    } catch (error) {
      thrown = error;
    }
    expect(isPulseError(thrown) && thrown.code).toBe('invalid_argument');
  });

  it(`publish rejects with PulseError invalid_argument for ${name}, nothing sent`, async () => {
    const sent: unknown[] = [];
    const client = createPulseClient({
      kbId: 'kb',
      apiKey: 'key',
      apiUrl: 'http://pulse.test/',
      transport: 'fetch',
      fetch: async (...args) => {
        sent.push(args);
        throw new Error('must not be called');
      },
      onError: () => undefined,
    });
    const error = await client.publish('chat', 'message', data()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(sent).toEqual([]);
    expect(isPulseError(error) && error.code).toBe('invalid_argument');
  });
}
