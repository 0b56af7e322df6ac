import { describe, expect, it } from 'vitest';
import { flush, setupPulse, setupRealtime } from './helpers.js';

describe('no leaks', () => {
  it('disconnect() clears every timer and socket listener (connected)', () => {
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    pulse.channel('c').subscribe('m', () => {});
    void pulse.channel('c').presence.enter({});
    expect(clock.pending).toBeGreaterThan(0);
    expect(ws.last.listenerCount()).toBeGreaterThan(0);
    pulse.disconnect();
    expect(clock.pending).toBe(0);
    expect(ws.last.listenerCount()).toBe(0);
  });

  it('disconnect() while reconnecting cancels the retry timer', () => {
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    ws.last.drop(1006);
    expect(clock.pending).toBe(1);
    pulse.disconnect();
    expect(clock.pending).toBe(0);
    clock.advance(120_000);
    expect(ws.sockets).toHaveLength(1);
  });

  it('disconnect() while connecting leaves only a no-op error handler (ws throws on unhandled error events)', () => {
    const { ws, clock, pulse } = setupPulse();
    pulse.disconnect();
    expect(clock.pending).toBe(0);
    expect(ws.last.onopen).toBeNull();
    expect(ws.last.onmessage).toBeNull();
    expect(ws.last.onclose).toBeNull();
  });

  it('a token refresh finishing after disconnect() does not reconnect', async () => {
    let release: (token: string) => void = () => {};
    const { ws, clock, pulse } = setupPulse({ authCallback: () => new Promise<string>((r) => (release = r)) });
    ws.last.accept();
    ws.last.drop(4001);
    pulse.disconnect();
    release('late');
    await flush();
    clock.advance(60_000);
    expect(ws.sockets).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it('realtime.close() clears timers and listeners', () => {
    const { ws, clock, realtime } = setupRealtime();
    ws.last.accept();
    realtime.channels.get('posts').subscribe(() => {});
    realtime.close();
    expect(clock.pending).toBe(0);
    expect(ws.last.listenerCount()).toBe(0);
    expect(realtime.connection.state).toBe('disconnected');
  });

  it('a socket replaced after a heartbeat timeout has no listeners left', () => {
    const { ws, clock } = setupPulse();
    ws.last.accept();
    clock.advance(30_000);
    expect(ws.sockets[0]!.listenerCount()).toBe(0);
  });
});
