// An outside review found: docs/errors.md says "Every error of every openkbs-pulse package is a
// `PulseError` ... Its message says what happened, then `Fix:` and the fix, then the address of
// the code's section below (also `error.docsUrl`)"; docs/concepts.md ("Every message ends with the
// fix and a link to the code's section"), docs/getting-started.md and the root README say the same.
// The server SDK builds its messages that way (errorMessage), the client never does: its messages
// (the most common errors a user sees: a bad token, not connected, a full queue, a refused
// connection) carry no `Fix:` and no link, and where they name a fix it is not ERROR_FIX's
// (a refused connection for pulse_not_enabled says "run: openkbs pulse enable", forbidden says
// "the token does not allow this").
//
// Each error below is one the docs describe, made with the client against the local service.
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { ERROR_FIX, type ErrorCode } from '@openkbs-pulse/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Pulse, { isPulseError, type PulseError } from '../src/index.js';
import { waitFor } from './int-helpers.js';

let service: PulseService;
beforeAll(async () => void (service = await createPulseService()));
afterAll(() => service.close());

/** What the constructor or a call threw or rejected with. */
async function caught(work: () => unknown): Promise<PulseError> {
  try {
    await work();
  } catch (error) {
    if (isPulseError(error)) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

const offline = async () => new Pulse({ kbId: service.kbId, token: await service.createToken('u1'), endpoint: service.wsUrl, autoConnect: false });

const CASES: [string, ErrorCode, () => Promise<PulseError>][] = [
  ['a token that is not a JWT (getting-started "When it does not connect")', 'invalid_token', () => caught(() => new Pulse({ kbId: service.kbId, token: 'not-a-jwt' }))],
  [
    'a token minted for another kbId',
    'kb_mismatch',
    async () => {
      const token = await service.createToken('u1', { kbId: 'other-kb' });
      return caught(() => new Pulse({ kbId: service.kbId, token, endpoint: service.wsUrl }));
    },
  ],
  [
    'an expired token without authCallback / authUrl',
    'token_expired',
    async () => {
      const token = await service.createToken('u1', { expiresIn: 0 });
      return caught(() => new Pulse({ kbId: service.kbId, token, endpoint: service.wsUrl }));
    },
  ],
  ['publish before connect() (autoConnect: false)', 'not_connected', async () => caught(async () => (await offline()).channel('chat').publish('message', { text: 'hi' }))],
  ['data.type different from the event name', 'invalid_argument', async () => caught(async () => (await offline()).channel('chat').publish('message', { type: 'other' }))],
  [
    'a publish past maxQueueSize while connecting',
    'queue_full',
    async () => {
      const pulse = new Pulse({ kbId: service.kbId, token: await service.createToken('u1'), endpoint: service.wsUrl, maxQueueSize: 1 });
      pulse.on('error', () => {});
      const first = pulse.channel('chat').publish('message', {});
      const error = await caught(() => pulse.channel('chat').publish('message', {}));
      pulse.disconnect();
      await first.catch(() => {});
      return error;
    },
  ],
  [
    'a connection refused because Pulse is disabled (Node reads the reason)',
    'pulse_not_enabled',
    async () => {
      service.addTenant('disabled-kb', 'disabled-key', { enabled: false });
      const pulse = new Pulse({ kbId: 'disabled-kb', token: await service.createToken('u1', { kbId: 'disabled-kb' }), endpoint: service.wsUrl });
      const error = await waitFor<PulseError>('the refusal', (done) => pulse.on('error', done));
      pulse.disconnect();
      return error;
    },
  ],
];

describe('client error messages end with the fix and the link to docs/errors.md', () => {
  it.each(CASES)('%s (%s)', async (_what, code, make) => {
    const error = await make();
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/\. Fix: /);
    expect(error.message.endsWith(`Fix: ${ERROR_FIX[code]} See ${error.docsUrl}`), error.message).toBe(true);
  });
});
