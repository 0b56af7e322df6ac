// An outside review noticed: connection.once([...]) (promise form) with an array that holds the
// state the client is in (failed, closed, suspended) rejected at once with not_connected, while
// once() of that one state waits for it to come again. An array is any of its events, as for the
// callback form: it waits alike, and settles with the first of them.
import { expect, it } from 'vitest';
import { flush, settledAs, setupRealtime } from './helpers.js';

it('an array holding the closed state waits as once("closed") does, and resolves with the next of its events', async () => {
  const { realtime, ws, clock } = setupRealtime();
  realtime.close();
  await flush();
  clock.advance(2_000);
  await flush();
  expect(realtime.connection.state).toBe('closed');
  const one = realtime.connection.once('closed');
  const many = realtime.connection.once(['connected', 'closed']);
  await flush();
  expect({ one: await settledAs(one), many: await settledAs(many) }).toEqual({ one: 'pending', many: 'pending' });
  realtime.connection.connect();
  await flush();
  ws.last.accept();
  await flush();
  expect(await settledAs(many)).toBe('resolved');
  expect(await many).toMatchObject({ current: 'connected' });
});

it('an array without the end state it is in still rejects at once', async () => {
  const { realtime, clock } = setupRealtime();
  realtime.close();
  await flush();
  clock.advance(2_000);
  await flush();
  expect(await settledAs(realtime.connection.once(['connected', 'disconnected']))).toBe('not_connected');
});
