// An outside review found: the endpoint of a refreshed token's answer is ignored once an endpoint is set, and the
// React provider sets one from the FIRST answer, so every later answer's endpoint is ignored.
// AuthResult (auth.ts) documents `endpoint` as the "WebSocket endpoint to use from now on (else
// the token's claim, the option, or the region's)", and the server SDK's getToken answers
// `{ token, endpoint }` for exactly this (docs/concepts.md: authCallback returns "a token or
// `{ token, endpoint }`"). But the engine picks `options.endpoint ?? authEndpoint ?? claim`: an
// `endpoint` option (the tutorial passes one) beats every answer. <PulseProvider options={{
// authCallback }}> without any endpoint option turns its first answer's endpoint into the
// client's `endpoint` option (hub.ts create: `endpoint: first.endpoint ?? rest.endpoint`), so the
// first answer's endpoint is followed and the next ones never are: a kb moved to another
// endpoint keeps being dialled at the old one by every long-lived page.
import { closeDomWindow } from './react-dom-globals.js';
import { createFakeClock } from '@openkbs-pulse/mock-server';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, useConnectionState } from '../src/react/index.js';
import { createFakeWebSocket } from './fake-websocket.js';
import { flush, makeToken, setupPulse } from './helpers.js';

afterAll(closeDomWindow);
afterEach(cleanup);

const host = (url: string) => new URL(url).host;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a refreshed token's answer names a new endpoint", () => {
  it('<PulseProvider options={{ authCallback }}>: the second answer\'s endpoint is used, as the first one\'s was', async () => {
    const clock = createFakeClock();
    const ws = createFakeWebSocket();
    const endpoints = ['wss://one.pulse.test', 'wss://two.pulse.test'];
    let asked = 0;
    const authCallback = () => ({
      kbId: 'kb',
      token: makeToken({ exp: Math.floor(clock.now() / 1000) + 3600 }),
      endpoint: endpoints[Math.min(asked++, endpoints.length - 1)]!,
    });
    function Status(): ReactNode {
      useConnectionState();
      return null;
    }
    render(h(PulseProvider, { options: { authCallback, WebSocket: ws.WebSocket, clock, random: () => 0 } }, h(Status)));
    await act(async () => {
      await sleep(10);
    });
    // The first answer's endpoint is the one dialled.
    expect(host(ws.last.url)).toBe('one.pulse.test');
    ws.last.accept();
    // The token expires: the service closes with 4001 and the client asks authCallback again.
    await act(async () => {
      ws.last.drop(4001, 'token expired');
      await flush();
      await sleep(10);
      await flush();
    });
    expect(asked).toBe(2);
    // Actual: one.pulse.test again (the first answer became the client's `endpoint` option).
    expect(host(ws.last.url)).toBe('two.pulse.test');
  });

  it('new Pulse({ endpoint, authCallback }): the answer\'s endpoint is the one to use from now on', async () => {
    const { ws, pulse, clock } = setupPulse({
      endpoint: 'wss://one.pulse.test',
      authCallback: () => ({ token: makeToken({ exp: Math.floor(clock.now() / 1000) + 3600 }), endpoint: 'wss://two.pulse.test' }),
    });
    pulse.on('error', () => {});
    expect(host(ws.last.url)).toBe('one.pulse.test');
    ws.last.accept();
    ws.last.drop(4001, 'token expired');
    await flush();
    await sleep(0);
    await flush();
    expect(ws.sockets.length).toBe(2);
    // Actual: one.pulse.test (the option beats the answer it was documented to give way to).
    expect(host(ws.last.url)).toBe('two.pulse.test');
  });
});

// Added with the fix: "from now on" holds until an answer names another endpoint.
describe('an answer that names no endpoint', () => {
  it('keeps the endpoint the last answer named (before the option and the token\'s claim)', async () => {
    const answers = [
      () => ({ token: makeToken({ exp: Math.floor(clock.now() / 1000) + 3600 }), endpoint: 'wss://two.pulse.test' }),
      () => makeToken({ endpoint: 'wss://three.pulse.test', exp: Math.floor(clock.now() / 1000) + 3600 }),
    ];
    let asked = 0;
    const { ws, pulse, clock } = setupPulse({ endpoint: 'wss://one.pulse.test', authCallback: () => answers[asked++]!() });
    pulse.on('error', () => {});
    const refresh = async () => {
      ws.last.accept();
      clock.advance(10_000); // a connection that stayed up: the next refusal refreshes again
      ws.last.drop(4001, 'token expired');
      await flush();
      await sleep(0);
      await flush();
    };
    await refresh();
    expect(host(ws.last.url)).toBe('two.pulse.test');
    await refresh();
    expect(asked).toBe(2);
    expect(host(ws.last.url)).toBe('two.pulse.test');
  });
});
