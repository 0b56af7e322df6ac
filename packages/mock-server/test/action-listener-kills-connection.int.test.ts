// An outside review found: a connection that an `action` listener dropped (kill, dropAll, stop) was
// still handled after the listener returned, so its presence_enter added a member for a dead
// connection (no `leave` ever followed) and its subscribe a dead subscriber.
//
// README "Behaviour": "A closed, killed, expired or slow connection leaves every presence set it
// was in (a `leave` is broadcast: no ghosts)". A listener that drops the connection whose action
// it is told of (fault injection: "drop the client right when it enters presence") must leave
// nothing of it behind: the action of a connection the listener dropped is not handled.
import { afterEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;
afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

const presenceOf = async (s: PulseService, channel: string) =>
  (await api<{ count: number; members: { userId: string }[] }>(s, { action: 'pulsePresence', channel })).body;

describe('a connection dropped from an action listener', () => {
  it('kill() while it enters presence: no ghost member, and the watcher sees no member left over', async () => {
    const svc = (service = await createPulseService());
    const watcher = await connect(svc, 'watcher', { channel: 'room' });
    const victim = await connect(svc, 'victim', { channel: 'room' });
    svc.on('action', (action, info) => {
      if (action.action === 'presence_enter') svc.kill(info.connectionId);
    });
    victim.send({ action: 'presence_enter', channel: 'room', data: { name: 'V' } });
    await victim.closed;
    await watcher.sync();

    expect(svc.connections().map((c) => c.userId)).toEqual(['watcher']);
    expect(await presenceOf(svc, 'room')).toEqual({ count: 0, members: [] });
    expect(svc.stats().presenceMembers).toBe(0);
    // What the watcher believes: every enter it saw is followed by a leave.
    const seen = new Set<string>();
    for (const f of watcher.frames as { type: string; action?: string; member?: { connectionId: string } }[]) {
      if (f.type !== 'presence' || !f.member) continue;
      if (f.action === 'leave') seen.delete(f.member.connectionId);
      else seen.add(f.member.connectionId);
    }
    expect([...seen]).toEqual([]);
  });

  it('kill() while it subscribes: no dead subscriber counted', async () => {
    const svc = (service = await createPulseService());
    const victim = await connect(svc, 'victim');
    svc.on('action', (action, info) => {
      if (action.action === 'subscribe') svc.kill(info.connectionId);
    });
    victim.send({ action: 'subscribe', channel: 'news' });
    await victim.closed;
    expect(svc.connections()).toEqual([]);
    expect(svc.stats().kbs[svc.kbId]).toMatchObject({ connections: 0, channels: 0, subscriptions: 0 });
  });

  it('stop() while it enters presence: after start() the presence set is empty (no ghost from before the restart)', async () => {
    const svc = (service = await createPulseService());
    const victim = await connect(svc, 'victim', { channel: 'room' });
    let stopping: Promise<void> | undefined;
    svc.on('action', (action) => {
      if (action.action === 'presence_enter') stopping ??= svc.stop();
    });
    victim.send({ action: 'presence_enter', channel: 'room' });
    await victim.closed;
    await stopping;
    await svc.start();
    expect(await presenceOf(svc, 'room')).toEqual({ count: 0, members: [] });
    const fresh = await connect(svc, 'fresh', { channel: 'room' });
    fresh.send({ action: 'presence', channel: 'room' });
    expect(await fresh.nextType('presence', (f) => f.action === 'sync')).toMatchObject({ count: 0, members: [] });
  });

  it('dropAll() while it publishes: the publish reaches no one', async () => {
    const svc = (service = await createPulseService());
    const watcher = await connect(svc, 'watcher', { channel: 'news' });
    const victim = await connect(svc, 'victim');
    svc.on('action', (action) => {
      if (action.action === 'publish' && action.event === 'doomed') svc.dropAll();
    });
    victim.send({ action: 'publish', channel: 'news', event: 'doomed', data: {} });
    await victim.closed;
    await watcher.closed;
    expect(watcher.frames.filter((f) => f.type === 'message')).toEqual([]);
    expect(svc.stats().kbs[svc.kbId]).toMatchObject({ connections: 0, published: 0, delivered: 0 });
  });
});
