// An outside review found: disconnect() then connect() called from a listener left the client
// closed. connect() decided what to do from the state at call time, but inside a listener the
// engine only queues events, so the queued close ran after it and won. Now connect() is an event
// like the others, decided when it is handled: the last call wins.
import { describe, expect, it } from 'vitest';
import { flush, setupPulse, setupRealtime } from './helpers.js';

// disconnect() then connect() is "restart the connection". Called from inside a listener, the
// engine queues the close (it is mid-dispatch) but decides what connect() does from the state
// *before* the queued close runs, so the last call loses: the client ends closed.
describe('disconnect(); connect() inside a listener', () => {
  it('Pulse: restarting from an error listener leaves the client connecting, not disconnected', async () => {
    const { ws, pulse } = setupPulse();
    ws.last.accept();
    let restarted = false;
    pulse.on('error', (error) => {
      if (error.code !== 'slow_consumer' || restarted) return;
      restarted = true;
      pulse.disconnect();
      pulse.connect();
    });
    ws.last.drop(4008, 'slow consumer');
    await flush();
    expect(restarted).toBe(true);
    // The last call was connect(): the client should be (re)connecting.
    expect(pulse.state).not.toBe('disconnected');
  });

  it('Realtime: close(); connect() in a connected listener ends connecting, not closed', async () => {
    const { ws, realtime } = setupRealtime();
    let done = false;
    realtime.connection.on('connected', () => {
      if (done) return;
      done = true;
      realtime.close();
      realtime.connect();
    });
    ws.last.accept();
    await flush();
    expect(done).toBe(true);
    expect(realtime.connection.state).not.toBe('closed');
    expect(realtime.connection.state).not.toBe('closing');
  });

  it('control: the same close(); connect() outside a listener ends connecting', async () => {
    const { ws, realtime } = setupRealtime();
    ws.last.accept();
    await flush();
    realtime.close();
    realtime.connect();
    await flush();
    expect(realtime.connection.state).toBe('connecting');
  });
});
