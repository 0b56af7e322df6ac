// An outside review found: a start() that overlapped close() listened again, so close() settled
// with the service still listening and no public call could free the port any more.
//
// Expected (README, Test hooks: "`await service.close()` | final shutdown; a later `start()`
// rejects with `PulseError` `disconnected`"; PulseService.close: "Stops for good"): once close()
// has been called, the service never listens again. A start() called while close() is stopping,
// or already in flight when close() is called, rejects with `disconnected`; once close() settled,
// `listening` is false and the port refuses connections (so a test runner can exit).
//
// Before the fix, close() set `closed` only after its `await this.stop()`, so a start() in that
// window listened again, and a start() in flight finished listening after stop() had returned at
// once (nothing was listening yet); every later close() was then a no-op.
import { afterEach, expect, it } from 'vitest';
import { PulseError } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';
import { accepts, within } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  if (service?.listening) {
    // Clean-up for the failing case: the only way left to free the port is the private server.
    (service as unknown as { server: { close(): void; closeAllConnections(): void } }).server.close();
    (service as unknown as { server: { closeAllConnections(): void } }).server.closeAllConnections();
  }
  service = undefined;
});

/** How a start() ended: 'started', or the PulseError code it rejected with ('not a PulseError' else). */
function outcome(start: Promise<void>): Promise<string> {
  return start.then(
    () => 'started',
    (error: unknown) => (error instanceof PulseError ? error.code : 'not a PulseError'),
  );
}

it('a start() called while close() is stopping does not listen again; after close() nothing listens', async () => {
  service = await createPulseService();
  const port = service.port;
  const client = await connect(service, 'alice');
  client.ws.pause(); // never answers the close frame: close() drains for its 1 s grace
  const closing = service.close();
  const started = await within(outcome(service.start()), 5_000);
  const again = service.close(); // a second close() while the first drains: it waits for it too
  const closed = await within(again, 8_000);
  const afterClose = { listening: service.listening, portAccepts: await accepts(port) };
  expect(await within(closing, 1_000)).toBeUndefined();
  const later = await within(outcome(service.start()), 5_000);
  expect({ closed, started, afterClose, later, listening: service.listening, portAccepts: await accepts(port) }).toEqual({
    closed: undefined,
    started: 'disconnected',
    afterClose: { listening: false, portAccepts: false },
    later: 'disconnected',
    listening: false,
    portAccepts: false,
  });
});

it('a start() in flight when close() is called rejects with disconnected; once close() settled, nothing listens', async () => {
  service = await createPulseService();
  const port = service.port;
  await service.stop();
  const starting = outcome(service.start());
  expect(await within(service.close(), 8_000)).not.toBe('timed out');
  // Checked before the start() is awaited: close() itself must leave the port free.
  const afterClose = { listening: service.listening, portAccepts: await accepts(port) };
  const started = await within(starting, 5_000);
  await service.close();
  expect({ started, afterClose, listening: service.listening, portAccepts: await accepts(port) }).toEqual({
    started: 'disconnected',
    afterClose: { listening: false, portAccepts: false },
    listening: false,
    portAccepts: false,
  });
});
