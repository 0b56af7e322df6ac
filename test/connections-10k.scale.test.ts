// Scale: 10,000 concurrent loopback WebSocket connections to one local service process, all
// subscribed; one publish reaches every one; memory per idle connection is reported.
// The service runs in a child process: the fd limit is per process (checked first: 10k connections
// need about 11,000 open files in each).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConnectUrl } from '@openkbs-pulse/protocol';
import { assertFdLimit } from '../test-helpers/fd-limit.js';
import { startServiceProcess, type ChildMemory, type ServiceProcess } from '../test-helpers/service-process.js';
import { WebSocket, type WsWebSocket } from '../test-helpers/ws.js';

const CONNECTIONS = 10_000;
const IN_FLIGHT = 200;
const CHANNEL = 'everyone';

let service: ServiceProcess;
const sockets: WsWebSocket[] = [];
let received = 0;
let onReceived: (() => void) | undefined;

function open(url: string): Promise<WsWebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.on('message', (data: Buffer) => {
      if (data.includes('"scale-test"')) {
        received++;
        onReceived?.();
      }
    });
  });
}

beforeAll(async () => {
  // Each process holds one end of every connection: fail now, clearly, rather than with EMFILE later.
  assertFdLimit(CONNECTIONS);
  service = await startServiceProcess();
});

afterAll(async () => {
  // The service closes first, so TIME_WAIT lands on its side, not on the client's ephemeral ports.
  await service?.stop();
  await Promise.all(
    sockets.splice(0).map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.terminate();
        }),
    ),
  );
});

describe('10k connections', () => {
  it(`holds ${CONNECTIONS} subscribed connections and one publish reaches all`, async () => {
    const started = Date.now();
    const tokens = await service.request<string[]>('tokens', { n: CONNECTIONS / 10, prefix: 'user-' });
    const before = await service.request<ChildMemory>('memory');

    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < CONNECTIONS) {
          const i = next++;
          const url = buildConnectUrl(service.wsUrl, { kbId: service.kbId, token: tokens[i % tokens.length]!, channel: CHANNEL });
          sockets.push(await open(url));
        }
      }),
    );
    const connectedMs = Date.now() - started;
    expect(sockets).toHaveLength(CONNECTIONS);
    expect(await service.request<number>('subscribers', { channel: CHANNEL })).toBe(CONNECTIONS);

    const idle = await service.request<ChildMemory>('memory');
    const perConnection = {
      heapAndExternalBytes: Math.round((idle.heapUsed + idle.external - before.heapUsed - before.external) / CONNECTIONS),
      rssBytes: Math.round((idle.rss - before.rss) / CONNECTIONS),
    };

    const allReceived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received}/${CONNECTIONS} received`)), 60_000);
      onReceived = () => {
        if (received === CONNECTIONS) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    const publishStarted = Date.now();
    const response = await fetch(service.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'pulsePublish', kbId: service.kbId, apiKey: service.apiKey, channel: CHANNEL, event: 'scale-test', data: { n: 1 } }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ delivered: CONNECTIONS });
    await allReceived;
    expect(received).toBe(CONNECTIONS);
    const publishMs = Date.now() - publishStarted;

    // Reported, not asserted (no timing assertions): the figures go to the test log.
    console.log(
      `[scale] ${CONNECTIONS} connections in ${connectedMs} ms; one publish reached all in ${publishMs} ms; ` +
        `service memory per idle connection: ${perConnection.heapAndExternalBytes} B heap+external, ${perConnection.rssBytes} B RSS`,
    );
    expect(perConnection.heapAndExternalBytes).toBeGreaterThan(0);
  });
});
