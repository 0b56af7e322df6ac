import type { PulseError } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, setupRealtime } from './helpers.js';

// An outside review found: connection.once()'s own rejections were no `error` events.
// The contract: every failure, every rejected promise included, is also an `error` event (engine.ts
// EngineEvents.error: "... and every rejected promise"). connection.once(event)'s promise form
// rejects with a PulseError made in realtime.ts (`disconnected` after close(), realtime.ts:503;
// `not_connected` / `timeout` when called in an end state, realtime.ts:495) that never reaches
// `error` listeners, unlike every engine promise.
describe('connection.once() rejections reach error listeners', () => {
  it('once("connected") rejected by close() is an error event too', async () => {
    const { realtime } = setupRealtime();
    const errors: PulseError[] = [];
    realtime.on('error', (e) => errors.push(e));
    const next = realtime.connection.once('connected');
    let rejection: unknown;
    next.catch((e) => (rejection = e));
    realtime.close();
    await flush();
    expect((rejection as PulseError)?.code).toBe('disconnected');
    expect(errors).toContain(rejection);
  });

  it('once("connected") called while closed rejects at once, and that is an error event too', async () => {
    const { realtime, clock } = setupRealtime();
    realtime.close();
    await flush();
    clock.advance(2_000);
    const errors: PulseError[] = [];
    realtime.on('error', (e) => errors.push(e));
    let rejection: unknown;
    realtime.connection.once('connected').catch((e) => (rejection = e));
    await flush();
    expect((rejection as PulseError)?.code).toBe('not_connected');
    expect(errors).toContain(rejection);
  });

  it('control: a publish rejected by close() is an error event', async () => {
    const { realtime } = setupRealtime();
    const errors: PulseError[] = [];
    realtime.on('error', (e) => errors.push(e));
    let rejection: unknown;
    realtime.channels.get('a').publish('e', {}).catch((e) => (rejection = e));
    realtime.close();
    await flush();
    expect(errors).toContain(rejection);
  });
});
