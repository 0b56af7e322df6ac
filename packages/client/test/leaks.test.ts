import { describe, expect, it } from 'vitest';
import { flush, setupPulse, setupRealtime } from './helpers.js';

describe('no leaks', () => {
  it('disconnect() clears every timer and socket listener (connected) once the socket closed', async () => {
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    pulse.channel('c').subscribe('m', () => {});
    void pulse.channel('c').presence.enter({});
    expect(clock.pending).toBeGreaterThan(0);
    expect(ws.last.listenerCount()).toBeGreaterThan(0);
    pulse.disconnect();
    await flush();
    expect(clock.pending).toBe(0);
    expect(ws.last.listenerCount()).toBe(0);
  });

  it('disconnect() while reconnecting cancels the retry timer', () => {
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    ws.last.drop(1006);
    expect(clock.pending).toBe(2); // the retry, and the connectionStateTtlMs deadline
    pulse.disconnect();
    expect(clock.pending).toBe(0);
    clock.advance(120_000);
    expect(ws.sockets).toHaveLength(1);
  });

  it('disconnect() while connecting leaves only a no-op error handler (ws throws on unhandled error events)', async () => {
    const { ws, clock, pulse } = setupPulse();
    pulse.disconnect();
    await flush();
    expect(clock.pending).toBe(0);
    expect(ws.last.onopen).toBeNull();
    expect(ws.last.onmessage).toBeNull();
    expect(ws.last.onclose).toBeNull();
    // Nor ws's `message` listener (nor the refused upgrade's).
    expect(ws.last.listenerCount()).toBe(ws.last.onerror ? 1 : 0);
  });

  it('disconnect() against a peer that never answers the close handshake drops the socket after one second', () => {
    const { ws, clock, pulse } = setupPulse();
    ws.last.accept();
    ws.last.close = () => {}; // the peer never answers: no close event
    const terminated: boolean[] = [];
    ws.last.terminate = () => terminated.push(true);
    pulse.disconnect();
    expect(terminated).toEqual([]);
    clock.advance(999);
    expect(terminated).toEqual([]);
    clock.advance(1);
    expect(terminated).toEqual([true]);
    expect(clock.pending).toBe(0);
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

  it('realtime.close() clears timers and listeners', async () => {
    const { ws, clock, realtime } = setupRealtime();
    ws.last.accept();
    realtime.channels.get('posts').subscribe(() => {});
    realtime.close();
    expect(realtime.connection.state).toBe('closing');
    await flush();
    expect(clock.pending).toBe(0);
    expect(ws.last.listenerCount()).toBe(0);
    expect(realtime.connection.state).toBe('closed');
  });

  it('a socket replaced after a heartbeat timeout has no listeners left', () => {
    const { ws, clock } = setupPulse();
    ws.last.accept();
    clock.advance(30_000);
    expect(ws.sockets[0]!.listenerCount()).toBe(0);
  });
});
