// An outside review found: close() called from an `action` listener no longer kept that action
// from being handled (it awaited a start() that was not under way first).
//
// Review: close() called from an `action` listener no longer keeps that action from being
// handled (a regression of b4d5813, "close() is final from its first line").
//
// Expected (README, Test hooks: "a listener that drops the connection, with `kill`, `dropAll` or
// `stop`, keeps its action from being handled"; PulseService.close: "Stops for good"; commit
// b4d5813: "close() is final from its first line"): close() drops every connection at least as
// promptly as stop() does, so a publish whose `action` listener calls close() reaches no one,
// exactly as with stop() or dropAll() (test action-listener-kills-connection). Before b4d5813
// close() ran stop() synchronously and this held (checked against b4d5813^: no message).
//
// Actual: shutdown() now does `await this.starting?.catch(noop)` before `this.stop()`; with no
// start() under way that still awaits `undefined`, so stop() runs one microtask later, after
// receive() has found the connection still attached and handled the action: the watcher gets
// the "doomed" message and stats count it published and delivered.
import { afterEach, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

it('close() from an action listener: the publish reaches no one (as with stop() or dropAll())', async () => {
  const svc = (service = await createPulseService());
  const watcher = await connect(svc, 'watcher', { channel: 'news' });
  const victim = await connect(svc, 'victim');
  let closing: Promise<void> | undefined;
  svc.on('action', (action) => {
    if (action.action === 'publish' && action.event === 'doomed') closing ??= svc.close();
  });
  victim.send({ action: 'publish', channel: 'news', event: 'doomed', data: {} });
  await victim.closed;
  await watcher.closed;
  await closing;
  expect(watcher.frames.filter((f) => f.type === 'message')).toEqual([]);
  expect(svc.stats().kbs[svc.kbId]).toMatchObject({ published: 0, delivered: 0 });
});

it('close() from an action listener: the same as stop() from one (control: stop() holds)', async () => {
  const svc = (service = await createPulseService());
  const watcher = await connect(svc, 'watcher', { channel: 'news' });
  const victim = await connect(svc, 'victim');
  let stopping: Promise<void> | undefined;
  svc.on('action', (action) => {
    if (action.action === 'publish' && action.event === 'doomed') stopping ??= svc.stop();
  });
  victim.send({ action: 'publish', channel: 'news', event: 'doomed', data: {} });
  await victim.closed;
  await watcher.closed;
  await stopping;
  expect(watcher.frames.filter((f) => f.type === 'message')).toEqual([]);
});
