// An outside review found: createPulseService (and `pulse-local --kb-id ''`) accepts an empty kbId without a word: the
// service starts and its HTTP API answers, but no client can ever connect (every upgrade is
// refused 400 "kbId query parameter is required"). Options are checked elsewhere with a typed
// error naming the option (c4b5e8f); this one is not.
import { afterEach, describe, expect, it } from 'vitest';
import { buildConnectUrl } from '@openkbs-pulse/protocol';
import { WebSocket } from 'ws';
import { createPulseService, type PulseService } from '../src/index.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

function upgrade(url: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    ws.once('error', (e) => resolve(`error ${e.message}`));
  });
}

describe('kbId option', () => {
  it('kbId "": refused with invalid_argument, or a client with a minted token can connect', async () => {
    try {
      service = await createPulseService({ kbId: '' });
    } catch (error) {
      expect((error as { code?: string }).code).toBe('invalid_argument');
      return;
    }
    const token = await service.createToken('alice');
    expect(await upgrade(buildConnectUrl(service.wsUrl, { kbId: service.kbId, token }))).toBe('open');
  });
});
