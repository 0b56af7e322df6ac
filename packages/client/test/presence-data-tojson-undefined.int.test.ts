// An outside review found: presence data whose toJSON returns undefined travels as no data at all
// (`{"action":"presence_enter","channel":"room"}`), which the protocol's own check
// (presenceDataProblem: jsonValueProblem gives no problem when the JSON text is undefined) and the
// service both accept. The client then copies it with JSON.parse(JSON.stringify(data))
// (presence.ts newEntered), JSON.parse(undefined) throws a SyntaxError, and enter() rejects with
// invalid_argument "reading the data threw (see cause)": the client refuses what the service accepts.
import { presenceDataProblem } from '@openkbs-pulse/protocol';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import Npm from '../src/index.js';
import PulseJs from '../../../test-helpers/pulse-js.js';
import { reachState, serviceForEachTest, tokenFor } from './int-helpers.js';

const local = serviceForEachTest();

describe.each([
  ['npm build', Npm],
  ['pulse.js', PulseJs],
] as const)('%s: presence.enter(data) where data.toJSON() returns undefined', (_name, P) => {
  it('is sent and resolves (the protocol check and the service accept it), not rejected by the copy', async () => {
    const data = { toJSON: () => undefined };
    expect(presenceDataProblem('room', data)).toBeUndefined(); // the one rule accepts it
    const client = new P({ kbId: local.service.kbId, token: await tokenFor(local.service, 'alice'), endpoint: local.service.wsUrl, WebSocket: WebSocket as never });
    local.track(client);
    client.on('error', () => {});
    await reachState(client, 'connected');
    const result = await client
      .channel('room')
      .presence.enter(data)
      .then(
        () => 'resolved',
        (e: { code?: string; message?: string }) => `rejected ${e.code}: ${e.message}`,
      );
    // actual: 'rejected invalid_argument: reading the data threw (see cause)'
    expect(result).toBe('resolved');
  });
});
