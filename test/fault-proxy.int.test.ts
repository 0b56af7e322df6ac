import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFaultProxy, modes, type FaultProxy } from '../test-helpers/fault-proxy.js';

// An upstream that echoes every byte, and counts what it received.
let upstream: Server;
let upstreamSockets: Socket[];
let received: Buffer[];
let proxy: FaultProxy;
const clients: Socket[] = [];

async function startEcho(): Promise<number> {
  upstreamSockets = [];
  received = [];
  upstream = createServer((socket) => {
    upstreamSockets.push(socket);
    socket.on('data', (chunk) => {
      received.push(chunk);
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  return (upstream.address() as { port: number }).port;
}

async function dial(): Promise<{ socket: Socket; data: () => string; next: (bytes: number) => Promise<string> }> {
  const socket = connect({ host: '127.0.0.1', port: proxy.port });
  clients.push(socket);
  let text = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk) => {
    text += chunk.toString('utf8');
    for (const waiter of waiters.splice(0)) waiter();
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const next = async (bytes: number) => {
    while (text.length < bytes) await new Promise<void>((resolve) => waiters.push(resolve));
    return text;
  };
  return { socket, data: () => text, next };
}

function closed(socket: Socket): Promise<{ error: string | undefined }> {
  return new Promise((resolve) => {
    let error: string | undefined;
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code));
    if (socket.destroyed) resolve({ error });
    else socket.once('close', () => resolve({ error }));
  });
}

afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy();
  await proxy?.close();
  for (const socket of upstreamSockets ?? []) socket.destroy();
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
});

describe('fault proxy', () => {
  it('passes bytes both ways', async () => {
    proxy = await createFaultProxy({ target: { port: await startEcho() } });
    const client = await dial();
    client.socket.write('hello');
    expect(await client.next(5)).toBe('hello');
    const [connection] = proxy.connections();
    expect(connection?.forwardedUp).toBe(5);
    expect(connection?.forwardedDown).toBe(5);
  });

  it('delays bytes, keeps their order, and releases them when the delay is lifted', async () => {
    proxy = await createFaultProxy({ target: { port: await startEcho() } });
    const slow = await dial();
    const fast = await dial();
    const [slowConnection] = proxy.connections();
    slowConnection!.setMode(modes.delay(60_000));
    slow.socket.write('a');
    slow.socket.write('b');
    // A round trip on the other connection proves the event loop moved on: nothing passed yet.
    fast.socket.write('x');
    expect(await fast.next(1)).toBe('x');
    expect(received.map(String).join('')).toBe('x');
    expect(slow.data()).toBe('');
    slowConnection!.setMode(modes.pass());
    slow.socket.write('c');
    expect(await slow.next(3)).toBe('abc');
  });

  it('drop resets open connections and refuses new ones until the network returns', async () => {
    proxy = await createFaultProxy({ target: { port: await startEcho() } });
    const client = await dial();
    const result = closed(client.socket);
    proxy.setMode(modes.drop());
    expect((await result).error).toBe('ECONNRESET');

    const refused = connect({ host: '127.0.0.1', port: proxy.port });
    clients.push(refused);
    expect((await closed(refused)).error).toBe('ECONNRESET');

    proxy.setMode(modes.pass());
    const again = await dial();
    again.socket.write('back');
    expect(await again.next(4)).toBe('back');
  });

  it('blackhole reads everything, forwards nothing and propagates no close', async () => {
    proxy = await createFaultProxy({ target: { port: await startEcho() } });
    const victim = await dial();
    const witness = await dial();
    const [victimConnection] = proxy.connections();
    victimConnection!.setMode(modes.blackhole());
    victim.socket.write('lost');
    witness.socket.write('seen');
    expect(await witness.next(4)).toBe('seen');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(victimConnection!.bytesUp).toBe(4);
    expect(victimConnection!.forwardedUp).toBe(0);
    expect(victim.data()).toBe('');
    // The client goes away; the service side stays open (half-open).
    const gone = victimConnection!.whenClosed();
    victim.socket.destroy();
    witness.socket.write('!');
    expect(await witness.next(5)).toBe('seen!');
    expect(victimConnection!.closed).toBe(false);
    expect(upstreamSockets.filter((socket) => !socket.destroyed)).toHaveLength(2);
    await proxy.close();
    await gone;
    expect(victimConnection!.closed).toBe(true);
  });

  it('new connections in blackhole mode never reach the service', async () => {
    proxy = await createFaultProxy({ target: { port: await startEcho() }, mode: modes.blackhole() });
    const client = await dial();
    client.socket.write('x');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(upstreamSockets).toHaveLength(0);
    expect(proxy.connections()).toHaveLength(1);
  });

  it('cut forwards part of the next service chunk, then resets', async () => {
    proxy = await createFaultProxy({ target: { port: await startEcho() } });
    const client = await dial();
    client.socket.write('0123456789');
    expect(await client.next(10)).toBe('0123456789');
    const [connection] = proxy.connections();
    connection!.setMode(modes.cut({ afterBytes: 3 }));
    const result = closed(client.socket);
    client.socket.write('abcdefghij');
    await result; // reset right after the partial write: the client may see the data then ECONNRESET or a plain close
    expect(client.socket.destroyed).toBe(true);
    expect(client.data()).toBe('0123456789abc');
    expect(connection!.forwardedDown).toBe(13);
  });

  it('controls each connection on its own', async () => {
    proxy = await createFaultProxy({ target: { port: await startEcho() } });
    const first = await dial();
    const second = await dial();
    const result = closed(first.socket);
    proxy.connections()[0]!.setMode(modes.drop());
    expect((await result).error).toBe('ECONNRESET');
    second.socket.write('alive');
    expect(await second.next(5)).toBe('alive');
  });

  it('closes cleanly: listener gone, every connection closed', async () => {
    proxy = await createFaultProxy({ target: { port: await startEcho() } });
    const port = proxy.port;
    const client = await dial();
    const result = closed(client.socket);
    await proxy.close();
    await result;
    expect(proxy.connections()).toHaveLength(0);
    const refused = connect({ host: '127.0.0.1', port });
    clients.push(refused);
    expect((await closed(refused)).error).toBe('ECONNREFUSED');
  });
});
