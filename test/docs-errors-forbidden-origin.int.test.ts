// An outside review found: docs/errors.md#forbidden (where every `forbidden` error's docsUrl leads)
// gives one likely cause, "The key is valid but not allowed to do this for this kb", and the fix
// "Check the kbId and API key you use". The local service answers `forbidden` for none of that: it
// answers it for a request or WebSocket upgrade from an Origin that is not loopback nor in
// `allowedOrigins`, a non-loopback Host header, and a CORS preflight (docs/security.md). A Node
// client refused that way fails with `forbidden`, a message ending "the token does not allow
// this", and a link to a section that sends the developer to check a kbId and a key that are fine.
//
// Each `forbidden` the local service gives is produced here; the section must name its cause.
import { readFileSync } from 'node:fs';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import Pulse, { type PulseError } from 'openkbs-pulse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const page = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const section = page.split(/^## /m).find((part) => part.startsWith('forbidden\n')) ?? '';

let service: PulseService;
beforeAll(async () => void (service = await createPulseService()));
afterAll(() => service.close());

describe('docs/errors.md#forbidden and the forbidden refusals of the local service', () => {
  it('a Node client whose socket sends a foreign Origin: the section names allowedOrigins', async () => {
    class FromPage extends WebSocket {
      constructor(url: string) {
        super(url, { origin: 'http://myapp.test:3000' });
      }
    }
    const pulse = new Pulse({ kbId: service.kbId, token: await service.createToken('u1'), endpoint: service.wsUrl, WebSocket: FromPage as never });
    const error = await new Promise<PulseError>((resolve) => pulse.on('error', resolve));
    pulse.disconnect();
    expect(error.code).toBe('forbidden');
    expect(error.docsUrl).toMatch(/errors\.md#forbidden$/);
    expect(section).toMatch(/allowedOrigins|--allowed-origins/);
  });

  it('an HTTP API call addressed to a non-loopback Host: the section names the Host rule', async () => {
    const { port } = new URL(service.apiUrl);
    const answer = await new Promise<{ status: number; code: string }>((resolve, reject) => {
      const body = JSON.stringify({ action: 'pulseStatus', kbId: service.kbId, apiKey: service.apiKey });
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', headers: { host: `myapp.test:${port}`, 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, code: (JSON.parse(text) as { code: string }).code }));
        });
        req.on('error', reject);
        req.end(body);
      }, reject);
    });
    expect(answer).toEqual({ status: 403, code: 'forbidden' });
    expect(section).toMatch(/\bHost\b/);
  });
});
