// The API reference has an @example and parameter descriptions on every public callable: each exported function and class,
// and each public method of an exported class or interface, of every package (read from the
// code by test-helpers/api-examples.ts, so a new export without an example fails here).
import { describe, expect, it } from 'vitest';
import { publicCallables, type PublicCallable } from '../test-helpers/api-examples.js';

/** Interfaces users implement and pass in (a WebSocket, a clock), not call: no example needed. */
const IMPLEMENTED_BY_USERS = ['WebSocketLike', 'HttpResponseLike', 'Clock'];

/**
 * Callables still without an example (or parameter descriptions). The list may only shrink: an
 * entry that has gained its example fails the last test until it is removed here.
 */
const PENDING: readonly string[] = [
];

let callables: PublicCallable[] | undefined;
/** Each callable once (the default export and a re-export are the same code), users' interfaces left out. */
const all = (): PublicCallable[] => {
  if (callables) return callables;
  const found = publicCallables();
  const implemented = new Set(found.filter((c) => IMPLEMENTED_BY_USERS.some((name) => c.name.includes(`: ${name}.`))).map((c) => c.where));
  const seen = new Set<string>();
  callables = found.filter((c) => {
    const key = `${c.where} ${c.name.split('.').slice(1).join('.')}`;
    if (implemented.has(c.where) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return callables;
};

describe('API reference examples', () => {
  it('finds the callables users call first', { timeout: 60_000 }, () => {
    const names = all().map((c) => c.name);
    for (const name of [
      'openkbs-pulse: Pulse',
      'openkbs-pulse: Pulse.channel',
      'openkbs-pulse: PulseChannel.subscribe',
      'openkbs-pulse: PulseChannel.publish',
      'openkbs-pulse: PulsePresence.enter',
      'openkbs-pulse: Realtime',
      'openkbs-pulse: RealtimeChannel.subscribe',
      '@openkbs-pulse/server: getToken',
      '@openkbs-pulse/server: publish',
      '@openkbs-pulse/server: presence',
      '@openkbs-pulse/server: channels',
      '@openkbs-pulse/server: status',
      '@openkbs-pulse/mock-server: createPulseService',
      '@openkbs-pulse/mock-server: createFakeClock',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('every public callable has an @example', { timeout: 60_000 }, () => {
    const missing = all()
      .filter((c) => !c.hasExample && !PENDING.includes(c.name))
      .map((c) => `${c.name} (${c.where})`);
    expect(missing).toEqual([]);
  });

  it('every parameter of a public callable has a description (@param name - ...)', { timeout: 60_000 }, () => {
    const missing = all()
      .filter((c) => c.undocumentedParams.length > 0 && !PENDING.includes(c.name))
      .map((c) => `${c.name}: ${c.undocumentedParams.join(', ')} (${c.where})`);
    expect(missing).toEqual([]);
  });

  it('the pending list only holds callables still without an example or a parameter description', { timeout: 60_000 }, () => {
    const done = all()
      .filter((c) => c.hasExample && c.undocumentedParams.length === 0 && PENDING.includes(c.name))
      .map((c) => c.name);
    expect(done).toEqual([]);
  });
});
