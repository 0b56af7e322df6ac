// An outside review found: while the service was paused, a binary frame fired the `action` event
// (the paused path parsed String(data) without looking at isBinary), though the same frame
// unpaused is refused with `invalid_message` and fires no `action`.
//
// README "Test hooks": "`action` fires for every valid frame, also while paused"; "Behaviour":
// "binary frames ... → error invalid_message". A binary frame is never a valid frame. While paused
// frames are read and ignored and nothing is sent, so it gets no error frame (and no `rejected`)
// then; once the service answers again it is refused as before.
import { afterEach, expect, it } from 'vitest';
import type { ClientAction } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect, nextEvent } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

it('a binary frame is no action, paused or not', async () => {
  const svc = (service = await createPulseService());
  const client = await connect(svc, 'alice');
  const actions: ClientAction[] = [];
  const rejected: string[] = [];
  svc.on('action', (action) => actions.push(action));
  svc.on('rejected', (code) => rejected.push(code));

  client.send(Buffer.from('{"action":"subscribe","channel":"bin"}'));
  expect(await client.nextType('error')).toMatchObject({ code: 'invalid_message' });
  expect(actions).toEqual([]);
  expect(rejected).toEqual(['invalid_message']);

  svc.pause();
  client.send(Buffer.from('{"action":"subscribe","channel":"bin"}'));
  const text = nextEvent(svc, 'action');
  client.send({ action: 'ping' }); // a valid text frame after it: its action marks that the binary one was read
  expect((await text)[0]).toEqual({ action: 'ping' });
  expect(actions).toEqual([{ action: 'ping' }]);
  expect(rejected).toEqual(['invalid_message']); // nothing is sent while paused: no error frame to report
  expect(svc.connections()[0]!.channels).toEqual([]);

  svc.resume();
  client.send(Buffer.from('{"action":"subscribe","channel":"bin"}'));
  expect(await client.nextType('error')).toMatchObject({ code: 'invalid_message' });
  await client.sync();
  expect(client.frames.filter((f) => f.type === 'error')).toHaveLength(2);
  expect(actions).toEqual([{ action: 'ping' }, { action: 'ping' }]);
  expect(svc.connections()[0]!.channels).toEqual([]);
});
