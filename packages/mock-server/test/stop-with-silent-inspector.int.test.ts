// An outside review found: stop() and close() waited ws's 30 s close timer for an inspector page
// that did not answer the close handshake (a stalled tab), past vitest's 10 s hookTimeout for
// `afterAll(() => service.close())`, and `pulse-local` took 30 s to stop on Ctrl-C.
//
// For the service's own connections stop() waits CLOSE_GRACE_MS (1 s) for the close handshake,
// then drops the socket (drainSockets). The inspector's feeds now get the same grace: stop()
// finishes within a few seconds whatever an open page does.
import { afterEach, expect, it } from 'vitest';
import { buildConnectUrl } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect, openClient } from './helpers.js';
import { within } from './raw-http.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
}, 40_000);

it('control: a service connection that never answers the close handshake does not hold stop() up', async () => {
  service = await createPulseService();
  const client = await connect(service, 'alice');
  client.ws.pause(); // reads nothing: never answers the close frame
  expect(await within(service.stop(), 8_000)).not.toBe('timed out');
});

it('an inspector page that never answers the close handshake does not hold stop() up either', async () => {
  service = await createPulseService();
  const grant = (await (await fetch(`${service.url}/_inspector/session`)).json()) as { kbId: string; token: string; endpoint: string; channel: string };
  const feed = await openClient(buildConnectUrl(grant.endpoint, { kbId: grant.kbId, token: grant.token, channel: grant.channel }));
  await feed.next(); // the snapshot
  feed.ws.pause(); // a stalled tab: never answers the close frame
  // Generous bound (8x the service's own 1 s grace; still under vitest's 10 s hookTimeout).
  expect(await within(service.stop(), 8_000)).not.toBe('timed out');
  // stop() settles only once the HTTP server closed, which waits for every socket: the feed's was dropped.
}, 40_000);

it('a silent page and a silent client together: close() still finishes well within the hook timeout', async () => {
  service = await createPulseService();
  const client = await connect(service, 'alice');
  const grant = (await (await fetch(`${service.url}/_inspector/session`)).json()) as { kbId: string; token: string; endpoint: string; channel: string };
  const feed = await openClient(buildConnectUrl(grant.endpoint, { kbId: grant.kbId, token: grant.token, channel: grant.channel }));
  await feed.next(); // the snapshot
  client.ws.pause();
  feed.ws.pause();
  const svc = service;
  service = undefined; // closed here, not by afterEach
  expect(await within(svc.close(), 8_000)).not.toBe('timed out');
  await expect(svc.start()).rejects.toMatchObject({ code: 'disconnected' });
}, 40_000);
