// A second stop() or a close() called while a stop() drains its sockets settles with it, once
// the connections are closed and the port is free. Before, both returned at once (the service
// no longer listened), so `service.stop(); await service.close()` went on while the old port was
// still bound and old clients still held their sockets.
import { afterEach, expect, it } from 'vitest';
import { CLOSE_CODES } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';
import { within } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

it('a second stop() during the drain settles only when the first does', async () => {
  service = await createPulseService();
  const old = await connect(service, 'old');
  old.ws.pause(); // holds the close handshake (and so the drain) until resumed
  let firstDone = false;
  const first = service.stop().then(() => (firstDone = true));
  let secondDone = false;
  const second = service.stop().then(() => (secondDone = true));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect([firstDone, secondDone]).toEqual([false, false]);
  old.ws.resume();
  expect(await within(second, 5_000)).not.toBe('timed out');
  expect(firstDone).toBe(true);
  await first;
  expect(await within(old.closed, 5_000)).toMatchObject({ code: CLOSE_CODES.goingAway });
});

it('close() during a stop()’s drain settles only when the drain is over', async () => {
  service = await createPulseService();
  const old = await connect(service, 'old');
  old.ws.pause();
  let stopped = false;
  const stopping = service.stop().then(() => (stopped = true));
  let closed = false;
  const closing = service.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(closed).toBe(false);
  old.ws.resume();
  expect(await within(closing, 5_000)).not.toBe('timed out');
  expect(stopped).toBe(true);
  await stopping;
});
