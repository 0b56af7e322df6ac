// connection.once()'s rejections are no `error` events of their own: a wait for a state is not
// work that failed, and the change that ends it is told already (with its reason, an `error`
// event, when it has one). Two outside reviews met here: the first found these rejections reached
// no `error` listener, against the word "every rejected promise"; making them `error` events, the
// second found one close() then gave an `error` event per pending once() beside the publishes'
// one, emitted before the `closed` change it explained. The word is now "every rejected promise
// of work (publish, presence)".
import type { PulseError } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { flush, setupRealtime } from './helpers.js';

describe('connection.once() rejections and error events', () => {
  it('once("connected") rejected by close() rejects with disconnected and adds no error event', async () => {
    const { realtime } = setupRealtime();
    const errors: PulseError[] = [];
    realtime.on('error', (e) => errors.push(e));
    const next = realtime.connection.once('connected');
    let rejection: unknown;
    next.catch((e) => (rejection = e));
    realtime.close();
    await flush();
    expect((rejection as PulseError)?.code).toBe('disconnected');
    expect(errors).toEqual([]);
  });

  it('once("connected") called while closed rejects at once with not_connected, and adds no error event', async () => {
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
    expect(errors).toEqual([]);
  });

  it('close() with a publish and two once() pending is one error event, the publish’s', async () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    await flush();
    const errors: PulseError[] = [];
    realtime.on('error', (e) => errors.push(e));
    let published: unknown;
    realtime.channels.get('a').publish('e', {}).catch((e) => (published = e));
    realtime.connection.once('disconnected').catch(() => {});
    realtime.connection.once('suspended').catch(() => {});
    realtime.close();
    await flush();
    ws.last.drop(1000);
    await flush();
    expect(realtime.connection.state).toBe('closed');
    expect(errors).toEqual([published]);
    expect(errors.map((e) => e.code)).toEqual(['disconnected']);
  });

  it('close() with only a once() pending gives the closed change and no error event', async () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    await flush();
    const log: string[] = [];
    realtime.connection.once('connected').catch(() => {});
    realtime.on('error', (e) => log.push(`error ${e.code}`));
    realtime.connection.on('closed', () => log.push('closed'));
    realtime.close();
    await flush();
    ws.last.drop(1000);
    await flush();
    expect(log).toEqual(['closed']);
  });
});
