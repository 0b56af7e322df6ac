// Issue 11, "slow exit": disconnect() against a peer that never answers the close handshake kept a
// Node process alive for 30 s (ws's own close timer). The client now drops the socket after one
// second at most. A real child process runs the built client against a raw TCP peer that completes
// the WebSocket upgrade and then ignores everything.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));
let server: Server;
let port = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket);
    socket.once('data', (request) => {
      const key = /sec-websocket-key:\s*(\S+)/i.exec(request.toString())?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      // From here on the peer reads nothing and answers nothing: no pong, no close frame.
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe.skipIf(!existsSync(dist))('close deadline', () => {
  it('a Node process exits soon after disconnect() although the peer never answers the close handshake', async () => {
    const claims = Buffer.from(JSON.stringify({ kbId: 'kb', userId: 'u' })).toString('base64url');
    const script = `
      import Pulse from ${JSON.stringify(dist)};
      const pulse = new Pulse({ kbId: 'kb', token: 'e30.${claims}.sig', endpoint: 'ws://127.0.0.1:${port}' });
      pulse.onStateChange((state) => {
        if (state !== 'connected') return;
        console.log('disconnecting');
        pulse.disconnect();
      });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let disconnectedAt = 0;
    child.stdout.on('data', () => (disconnectedAt ||= Date.now()));
    // ws alone would keep the process alive 30 s after disconnect(); the client bounds it to 1 s.
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(watchdog);
    expect(output).toContain('disconnecting');
    expect(code).toBe(0);
    expect(Date.now() - disconnectedAt).toBeLessThan(10_000);
  }, 30_000);
});
