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

  /** Runs `script` (ESM) in a child; resolves with its exit code, output and the ms from its first output line to its exit. */
  const run = async (script: string): Promise<{ code: number | null; output: string; afterFirstLineMs: number }> => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let firstAt = 0;
    child.stdout.on('data', (chunk: Buffer) => ((output += chunk.toString()), (firstAt ||= Date.now())));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(watchdog);
    return { code, output, afterFirstLineMs: Date.now() - firstAt };
  };
  const expired = () => `e30.${Buffer.from(JSON.stringify({ kbId: 'kb', userId: 'u', exp: Math.floor(Date.now() / 1000) - 10 })).toString('base64url')}.sig`;

  // Found by an outside review: the authTimeoutMs timer (10 s) ran on after disconnect(), and an
  // authUrl request that never answered was never aborted (the process never exited).
  it('disconnect() while an authCallback has not answered: the process exits at once, not after authTimeoutMs', async () => {
    const { code, output, afterFirstLineMs } = await run(`
      import Pulse from ${JSON.stringify(dist)};
      const pulse = new Pulse({ kbId: 'kb', token: '${expired()}', endpoint: 'ws://127.0.0.1:${port}', authCallback: () => new Promise(() => {}) });
      setTimeout(() => (console.log('disconnecting'), pulse.disconnect()), 50);
    `);
    expect(output).toContain('disconnecting');
    expect(code).toBe(0);
    expect(afterFirstLineMs).toBeLessThan(5_000);
  }, 30_000);

  it('disconnect() while an authUrl request hangs: the request is aborted and the process exits', async () => {
    const hanging = createServer((socket) => socket.on('error', () => {}));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hanging.address() as { port: number }).port}/token`;
      const { code, output, afterFirstLineMs } = await run(`
        import Pulse from ${JSON.stringify(dist)};
        const pulse = new Pulse({ kbId: 'kb', token: '${expired()}', endpoint: 'ws://127.0.0.1:${port}', authUrl: ${JSON.stringify(url)}, authTimeoutMs: 300 });
        // Past the first refresh's deadline (a retry starts another request), then disconnect().
        setTimeout(() => (console.log('disconnecting'), pulse.disconnect()), 1_500);
      `);
      expect(output).toContain('disconnecting');
      expect(code).toBe(0);
      expect(afterFirstLineMs).toBeLessThan(5_000);
    } finally {
      hanging.close();
    }
  }, 30_000);
});
