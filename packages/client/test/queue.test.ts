import { MAX_MESSAGE_BYTES } from '@openkbs-pulse/protocol';
import { describe, expect, it } from 'vitest';
import { isPulseError } from '../src/index.js';
import { flush, setupPulse } from './helpers.js';

const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
  try {
    await promise;
    return undefined;
  } catch (e) {
    return isPulseError(e) ? e.code : `not a PulseError: ${String(e)}`;
  }
};

describe('outgoing publish queue', () => {
  it('sends at once when connected and resolves', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    await pulse.channel('c').publish('msg', { text: 'hi' });
    expect(ws.last.actions).toEqual([{ action: 'publish', channel: 'c', event: 'msg', data: { text: 'hi' } }]);
  });

  it('queues while connecting/reconnecting and flushes in order after (re)connect, resolving on send', async () => {
    const { ws, pulse, clock } = setupPulse();
    const chat = pulse.channel('c');
    const settled: number[] = [];
    const first = chat.publish('m', { n: 1 }).then(() => settled.push(1));
    ws.last.accept();
    ws.last.drop(1006);
    const rest = [2, 3, 4].map((n) => chat.publish('m', { n }).then(() => settled.push(n)));
    await flush();
    expect(settled).toEqual([1]);
    clock.advance(1000);
    ws.last.accept();
    await Promise.all([first, ...rest]);
    expect(settled).toEqual([1, 2, 3, 4]);
    expect(ws.last.actions.map((a) => a.action === 'publish' && a.data?.n)).toEqual([2, 3, 4]);
  });

  it('queues when the socket is already closing but the close event has not arrived', async () => {
    const { ws, pulse, clock } = setupPulse();
    ws.last.accept();
    const old = ws.last;
    (old as { readyState: number }).readyState = 2;
    const sent = pulse.channel('c').publish('m', {});
    old.drop(1006);
    clock.advance(1000);
    ws.last.accept();
    await sent;
    expect(old.sent).toEqual([]);
    expect(ws.last.actions).toHaveLength(1);
  });

  it('rejects with queue_full beyond maxQueueSize and keeps the queued ones', async () => {
    const { ws, pulse } = setupPulse({ maxQueueSize: 2 });
    const chat = pulse.channel('c');
    const ok = [chat.publish('m', { n: 1 }), chat.publish('m', { n: 2 })];
    expect(await codeOf(chat.publish('m', { n: 3 }))).toBe('queue_full');
    ws.last.accept();
    await Promise.all(ok);
    expect(ws.last.actions).toHaveLength(2);
  });

  it('rejects queued publishes with disconnected on disconnect(), and later ones with not_connected', async () => {
    const { pulse } = setupPulse();
    const chat = pulse.channel('c');
    const queued = [chat.publish('m', {}), chat.publish('m', {})];
    pulse.disconnect();
    expect(await Promise.all(queued.map(codeOf))).toEqual(['disconnected', 'disconnected']);
    expect(await codeOf(chat.publish('m', {}))).toBe('not_connected');
  });

  it('rejects payloads over 32 KB with message_too_large before sending', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const big = { text: 'x'.repeat(MAX_MESSAGE_BYTES) };
    expect(await codeOf(pulse.channel('c').publish('m', big))).toBe('message_too_large');
    const multiByte = { text: 'é'.repeat(MAX_MESSAGE_BYTES / 2) }; // 2 bytes each in UTF-8
    expect(await codeOf(pulse.channel('c').publish('m', multiByte))).toBe('message_too_large');
    expect(await codeOf(pulse.channel('c').presence.enter(big))).toBe('message_too_large');
    expect(ws.last.sent).toEqual([]);
    await pulse.channel('c').publish('m', { text: 'x'.repeat(MAX_MESSAGE_BYTES - 100) });
    expect(ws.last.sent).toHaveLength(1);
  });

  it('rejects invalid arguments (non-object data, empty event, mismatching data.type)', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    const chat = pulse.channel('c');
    expect(await codeOf(chat.publish('m', [1, 2] as never))).toBe('invalid_argument');
    expect(await codeOf(chat.publish('', {}))).toBe('invalid_argument');
    expect(await codeOf(chat.publish('m', { type: 'other' }))).toBe('invalid_argument');
    await chat.publish('m', null);
    expect(ws.last.sent).toHaveLength(1);
  });

  it('rejects queued publishes with the failure when the connection is refused', async () => {
    const { ws, pulse } = setupPulse();
    const queued = pulse.channel('c').publish('m', {});
    ws.last.refuse(403, { error: 'off', code: 'pulse_not_enabled' });
    expect(await codeOf(queued)).toBe('pulse_not_enabled');
  });
});
