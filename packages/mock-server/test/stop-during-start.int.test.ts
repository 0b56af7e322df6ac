// An outside review found: a stop() called while a start() was still listening settled at once
// and left the service listening once that start() finished.
//
// Expected (PulseService.stop: "Closes the listener and every connection"; README Test hooks:
// "`await service.stop()` ... close the listener"; the same race that commit b4d5813 fixed for
// close(): "a start() in flight finished listening after stop() had returned at once (nothing was
// listening yet)"): once `await service.stop()` has settled, and the start() it overlapped has
// settled too, the service does not listen (`listening` false, the port refuses connections).
// stop() could wait for the shared listen (`this.starting`) as close() now does, then stop it.
//
// Before the fix, stop() saw `isListening === false` (the listen was under way) and returned at once, and
// the start() then set `isListening = true`: the service listened after `await stop()`.
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { accepts } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

it('stop() while a restart start() is listening: after both settle, nothing listens', async () => {
  const svc = (service = await createPulseService());
  const port = svc.port;
  await svc.stop();
  const starting = svc.start(); // under way
  await svc.stop(); // the outage the test wants
  await starting.catch(() => undefined);
  expect({ listening: svc.listening, accepts: await accepts(port) }).toEqual({ listening: false, accepts: false });
});

it('stop() while a start() overlapping an earlier stop() is listening: nothing listens afterwards', async () => {
  const svc = (service = await createPulseService());
  const port = svc.port;
  const first = svc.stop(); // still draining
  const starting = svc.start(); // listens at once (documented)
  const second = svc.stop();
  await Promise.all([first, second, starting.catch(() => undefined)]);
  expect({ listening: svc.listening, accepts: await accepts(port) }).toEqual({ listening: false, accepts: false });
});
