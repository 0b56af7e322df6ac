// An outside review found: setEnabled(kbId, enabled) and addTenant(..., { enabled }) take any
// value, and the service reads it two ways. The upgrade asks `enabled === true`, the HTTP API
// `!tenant.enabled`, and status/stats echo it as is. With a string from the environment
// (`service.setEnabled(kb, process.env.PULSE_ENABLED)`, "false") the kb is half on: WebSocket
// connections are refused with pulse_not_enabled while tokens are minted and HTTP publishes are
// accepted, and status() in the server SDK fails with invalid_response "enabled must be a
// boolean" (the service's own answer). Expected: a typed invalid_argument naming the argument
// (as addTenant's kbId, apiKey and region are checked), nothing changed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';
import { api, closeAllClients, connect } from './helpers.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterEach(() => {
  closeAllClients();
  service.setEnabled(service.kbId, true);
});
afterAll(() => service.close());

describe('enabled that is not a boolean', () => {
  it('setEnabled(kbId, "false") is refused with invalid_argument and changes nothing', async () => {
    expect(() => service.setEnabled(service.kbId, 'false' as unknown as boolean)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(service.stats().kbs[service.kbId]?.enabled).toBe(true);
  });

  it('addTenant(..., { enabled: "false" }) is refused with invalid_argument and adds nothing', () => {
    expect(() => service.addTenant('kb-two', 'key-two', { enabled: 'false' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(service.stats().kbs['kb-two']).toBeUndefined();
  });

  it('a kb is never half enabled: the HTTP API and the upgrade agree, and status answers a boolean', async () => {
    try {
      service.setEnabled(service.kbId, 'false' as unknown as boolean);
    } catch {
      // refused: the kb stays enabled, a state both paths agree on
    }
    const publish = await api(service, { action: 'pulsePublish', channel: 'chat', event: 'message' });
    const viaWebSocket = await connect(service, 'alice').then(
      () => 200,
      () => 403,
    );
    expect({ http: publish.status, webSocket: viaWebSocket }).toEqual({ http: publish.status, webSocket: publish.status });
    const status = await api<{ enabled: unknown }>(service, { action: 'pulseStatus' });
    expect(typeof status.body.enabled).toBe('boolean');
  });
});
