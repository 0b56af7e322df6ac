// An outside review found: a device whose clock runs ahead of the service's refused every fresh
// token from authCallback as expired, and stayed reconnecting for ever. (Without authCallback or
// authUrl the constructor still judges the token by this device's clock: README, token_expired.)
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import type { Clock } from '@openkbs-pulse/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import Pulse from '../src/index.js';
import { reachState } from './int-helpers.js';

let service: PulseService;
beforeAll(async () => void (service = await createPulseService()));
afterAll(() => service.close());

/** The runtime's timers, with a wall clock two hours ahead (a laptop with a wrong time zone / RTC). */
const aheadBy = (ms: number): Clock => ({
  now: () => Date.now() + ms,
  setTimeout: (cb, delay) => setTimeout(cb, delay),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
});
const TWO_HOURS = 2 * 60 * 60 * 1000;

/** Whether the service itself accepts `token` (a raw socket opens and answers a ping). */
const serviceAccepts = (token: string) =>
  new Promise<boolean>((resolve) => {
    const ws = new WebSocket(`${service.wsUrl}?kbId=${service.kbId}&token=${token}`);
    ws.on('open', () => ws.send(JSON.stringify({ action: 'ping' })));
    ws.on('message', (d) => {
      resolve(JSON.parse(String(d)).type === 'pong');
      ws.close();
    });
    ws.on('error', () => resolve(false));
    ws.on('unexpected-response', () => resolve(false));
  });

describe('a device clock ahead of the service', () => {
  it('with authCallback minting fresh 1 h tokens, the client connects', async () => {
    const fresh = () => service.createToken('ada', { expiresIn: 3600 });
    const token = await fresh();
    expect(await serviceAccepts(token)).toBe(true);
    const errors: string[] = [];
    const pulse = new Pulse({ kbId: service.kbId, token, authCallback: fresh, clock: aheadBy(TWO_HOURS) });
    pulse.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    try {
      await reachState(pulse, 'connected');
    } catch {
      throw new Error(`never connected; state ${pulse.state}; errors: ${errors.join(' | ')}`);
    } finally {
      pulse.disconnect();
    }
  });
});
