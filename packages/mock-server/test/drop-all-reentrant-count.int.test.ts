// An outside review found: dropAll() counted, and terminated again, connections a close listener had already ended during the call.
// service.dropAll() "abruptly drops every connection; returns how many". A connection that a
// listener of the service already ended while dropAll() was running (a 'close' listener that kills
// another one, or stops the service) is not one dropAll() dropped: it must neither be counted nor
// be terminated again. Before c5ca793 dropAll() went through kill(id), which found such a
// connection gone and skipped it; since then it terminates and counts a snapshot of every
// connection taken before the first drop.
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';
import { closeAllClients, connect } from './helpers.js';

let service: PulseService | undefined;

afterEach(async () => {
  closeAllClients();
  await service?.close();
  service = undefined;
});

describe('dropAll() with a listener that ends connections meanwhile', () => {
  it('counts only the connections it dropped itself (a kill from a close listener is not counted twice)', async () => {
    const svc = (service = await createPulseService());
    await connect(svc, 'alice');
    await connect(svc, 'bob');
    const [alice, bob] = svc.connections();
    let killedByListener: boolean | undefined;
    svc.on('close', (info) => {
      if (info.connectionId === alice!.connectionId) killedByListener = svc.kill(bob!.connectionId);
    });

    const dropped = svc.dropAll();

    expect(killedByListener).toBe(true); // the listener dropped bob
    expect(svc.connections()).toEqual([]);
    // Two connections, two drops in all: alice by dropAll, bob by kill.
    expect(dropped + (killedByListener ? 1 : 0)).toBe(2);
    expect(dropped).toBe(1);
  });

  it('does not count (or terminate) a connection that stop() closed gracefully from a close listener', async () => {
    const svc = (service = await createPulseService());
    await connect(svc, 'alice');
    const bobClient = await connect(svc, 'bob');
    const [alice, bob] = svc.connections();
    const closes = new Map<string, number>();
    let stopping: Promise<void> | undefined;
    svc.on('close', (info, code) => {
      closes.set(info.connectionId, code);
      if (info.connectionId === alice!.connectionId) stopping = svc.stop();
    });

    const dropped = svc.dropAll();
    await stopping;

    expect(closes.get(alice!.connectionId)).toBe(1006); // dropped by dropAll
    expect(closes.get(bob!.connectionId)).toBe(CLOSE_CODES.goingAway); // closed by stop(), not dropped
    expect((await bobClient.closed).code).toBe(CLOSE_CODES.goingAway);
    expect(dropped).toBe(1);
  });
});
