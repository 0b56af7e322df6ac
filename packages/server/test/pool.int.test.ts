// Connection reuse of the undici transport, counted at a loopback TCP proxy in front of the
// local service (the service does not expose its HTTP server's 'connection' events).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { createPulseClient } from '../src/client.js';

interface CountingProxy {
  url: string;
  /** TCP connections accepted so far. */
  readonly opened: number;
  close(): Promise<void>;
}

/** Forwards every TCP connection to `port` on 127.0.0.1 and counts them. */
async function countingProxy(port: number): Promise<CountingProxy> {
  let opened = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((inbound) => {
    opened++;
    const outbound = connect(port, '127.0.0.1');
    track(inbound);
    track(outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get opened() {
      return opened;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let service: PulseService;
let proxy: CountingProxy;

beforeEach(async () => {
  service = await createPulseService();
  proxy = await countingProxy(service.port);
});

afterEach(async () => {
  await proxy.close();
  await service.close();
});

const credentials = () => ({ apiUrl: proxy.url, kbId: service.kbId, apiKey: service.apiKey, env: () => ({}) });

describe('undici keep-alive pool', () => {
  it('N publishes use at most pool-size TCP connections', async () => {
    const pool = 4;
    const client = createPulseClient({ ...credentials(), transport: 'undici', connections: pool });
    try {
      const items = Array.from({ length: 60 }, (_, n) => ({ channel: 'feed', event: 'tick', data: { n } }));
      const results = await client.publishBatch(items, { concurrency: 12 });
      expect(results.filter((result) => !result.ok)).toEqual([]);
      for (let n = 0; n < 20; n++) await client.publish('feed', 'tick', { n });
      expect(client.transport).toBe('undici');
      expect(proxy.opened).toBeGreaterThanOrEqual(1);
      expect(proxy.opened).toBeLessThanOrEqual(pool);
    } finally {
      await client.close();
    }
  });

  it('sequential calls reuse their connections (at most two, however many calls)', async () => {
    const client = createPulseClient({ ...credentials(), transport: 'undici' });
    try {
      for (let n = 0; n < 25; n++) await client.publish('feed', 'tick', { n });
      await client.status();
      // undici frees a socket a tick after the body was read, so a call made at once after
      // another one can find it busy and open a second; from then on the two are reused.
      expect(proxy.opened).toBeGreaterThanOrEqual(1);
      expect(proxy.opened).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
    }
  });

  it('the counter does count: a client per call opens a connection per call', async () => {
    for (let n = 0; n < 5; n++) {
      const client = createPulseClient({ ...credentials(), transport: 'undici' });
      await client.publish('feed', 'tick', { n });
      await client.close();
    }
    expect(proxy.opened).toBe(5);
  });
});
