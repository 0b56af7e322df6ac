// An outside review found: createPulseService's allowedOrigins option is never checked, and a
// mistaken value is silently dropped. A string instead of an array (`allowedOrigins:
// process.env.APP_ORIGIN`) is spread into its characters (service.ts: `[...(options.allowedOrigins
// ?? [])]`), so the origin it names is refused with 403 forbidden "add others with the
// allowedOrigins option", the very option the caller set. An entry in a form no browser sends
// (`https://app.example/` as copied from the address bar, `HTTPS://APP.EXAMPLE`) can never match
// either, and is kept without a word. Expected: a typed invalid_argument naming allowedOrigins at
// creation (as every other option gets), or the string taken as the one origin it is.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildConnectUrl } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';

const ORIGIN = 'https://app.example';
let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

/** The status of an upgrade from a page on ORIGIN: 101 when accepted. */
async function upgradeStatus(target: PulseService): Promise<number> {
  const token = await target.createToken('alice');
  return new Promise((resolve) => {
    const ws = new WebSocket(buildConnectUrl(target.wsUrl, { kbId: target.kbId, token }), { origin: ORIGIN });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', () => resolve(0));
  });
}

describe('allowedOrigins', () => {
  it('an array naming the origin lets its page connect (control)', async () => {
    service = await createPulseService({ allowedOrigins: [ORIGIN] });
    expect(await upgradeStatus(service)).toBe(101);
  });

  it('a string is refused with invalid_argument, or taken as that one origin; never spread into characters', async () => {
    const started = createPulseService({ allowedOrigins: ORIGIN as unknown as string[] });
    service = await started.catch(() => undefined);
    if (!service) {
      await expect(started).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('allowedOrigins') });
      return;
    }
    expect(await upgradeStatus(service)).toBe(101);
  });

  it.each([['https://app.example/'], ['HTTPS://APP.EXAMPLE']])('an entry %s that no browser sends is refused or matched, never kept to match nothing', async (entry) => {
    const started = createPulseService({ allowedOrigins: [entry] });
    service = await started.catch(() => undefined);
    if (!service) {
      await expect(started).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('allowedOrigins') });
      return;
    }
    expect(await upgradeStatus(service)).toBe(101);
  });

  it('the decision (see the option\'s doc comment): a string is refused, the same origin in another spelling is taken as it', async () => {
    await expect(createPulseService({ allowedOrigins: ORIGIN as unknown as string[] })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('put it in an array'),
    });
    service = await createPulseService({ allowedOrigins: ['HTTPS://App.Example:443/'] });
    expect(await upgradeStatus(service)).toBe(101);
  });

  it.each([['https://app.example/login'], ['https://app.example?x=1'], ['app.example'], [''], [42]])('an entry %j that is no origin is refused, naming allowedOrigins', async (entry) => {
    await expect(createPulseService({ allowedOrigins: [entry as string] })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/^allowedOrigins: /),
    });
  });

  it('null is the default (no origins beyond the service\'s own), as for the other options', async () => {
    service = await createPulseService({ allowedOrigins: null as unknown as string[] });
    expect(await upgradeStatus(service)).toBe(403);
  });
});
