// An outside review found: a start() called while a stop() was still draining its sockets left
// that stop() pending for ever (Node emits no 'close' for a server that listens again), and the
// stop, when its drain ended, disarmed the deadline timer of connections the restarted service had
// accepted since (their token expiry and TTL were never enforced).
//
// README "Test hooks": stop() / start() close every connection, then listen again on the same
// port; with a fake clock "clock.advance(ms) closes connections whose deadline passed" (4001 at
// token expiry). start() listens at once; the overtaken stop() settles, and its late part (the
// drain of the old sockets) leaves the restarted service alone.
import { afterEach, expect, it } from 'vitest';
import { CLOSE_CODES } from '@openkbs-pulse/protocol';
import { createFakeClock, createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';
import { within } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

it('a stop() that a start() overtook still settles', async () => {
  service = await createPulseService();
  const old = await connect(service, 'old');
  old.ws.pause(); // holds the close handshake (and so the stop's drain) until resumed
  const stopping = service.stop();
  await service.start();
  expect(service.listening).toBe(true);
  old.ws.resume();
  await old.closed; // the first stop's drain is over
  expect(await within(stopping, 5_000)).not.toBe('timed out');
  // The restarted service is untouched by the stop's end: it still listens and answers.
  expect(service.listening).toBe(true);
  const fresh = await connect(service, 'fresh');
  fresh.send({ action: 'ping' });
  expect((await fresh.next()).type).toBe('pong');
});

it('a stop() overtaken by a start() whose drain ends at the grace settles too, and a later stop() still works', async () => {
  service = await createPulseService();
  const old = await connect(service, 'old');
  old.ws.pause(); // never answers: the drain ends when the 1 s grace drops the socket
  const stopping = service.stop();
  await service.start();
  const fresh = await connect(service, 'fresh');
  expect(await within(stopping, 5_000)).not.toBe('timed out');
  expect(service.connections().map((c) => c.userId)).toEqual(['fresh']);
  expect(await within(service.stop(), 5_000)).not.toBe('timed out');
  expect(await within(fresh.closed, 5_000)).toMatchObject({ code: CLOSE_CODES.goingAway });
  expect(service.listening).toBe(false);
});

it('a connection accepted by the restarted service is still closed at token expiry (fake clock)', async () => {
  const clock = createFakeClock();
  service = await createPulseService({ clock });
  const old = await connect(service, 'old');
  old.ws.pause(); // never answers the close frame: the stop's drain ends at its 1 s grace (CLOSE_GRACE_MS)
  void service.stop();
  await service.start();
  const fresh = await connect(service, 'fresh', { token: await service.createToken('fresh', { expiresIn: 60 }) });
  // Not a timing assertion: only lets the first stop's drain (a fixed 1 s real timer) end.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect(clock.pending).toBeGreaterThanOrEqual(1); // the fresh connection's deadline is still armed
  clock.advance(61_000);
  const closed = await within(fresh.closed, 5_000);
  expect(closed).toEqual({ code: CLOSE_CODES.tokenExpired, reason: 'token expired' });
  expect(service.connections()).toEqual([]);
});
