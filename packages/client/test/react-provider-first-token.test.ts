// An outside review found: <PulseProvider options={{ authCallback }}> fetching the first token. The engine bounds
// every token fetch by authTimeoutMs and turns a throwing authCallback into a failed attempt; the
// provider's first fetch must not hang for ever nor crash the tree.
import { closeDomWindow } from './react-dom-globals.js';
import { act, cleanup, render } from '@testing-library/react';
import { createElement as h, type ReactNode } from 'react';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PulseProvider, useConnectionError, useConnectionState, usePublish, type Publish } from '../src/react/index.js';

afterAll(closeDomWindow);
afterEach(cleanup);

let publish: Publish | undefined;
let state = '';
let errorCode: string | undefined;
function Probe(): ReactNode {
  publish = usePublish('chat');
  state = useConnectionState();
  errorCode = useConnectionError()?.code;
  return h('p', null, state);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('provider first token', () => {
  it('authCallback never answers: a publish made meanwhile settles within authTimeoutMs (no promise without a deadline)', async () => {
    const never = () => new Promise<string>(() => {});
    render(h(PulseProvider, { options: { kbId: 'kb', authCallback: never, authTimeoutMs: 200 } }, h(Probe)));
    await act(async () => {
      await sleep(10);
    });
    let settled: unknown = 'pending';
    publish!('m', { n: 1 }).then(
      () => (settled = 'resolved'),
      (e: { code?: string }) => (settled = e.code),
    );
    await act(async () => {
      await sleep(1500);
    });
    // authTimeoutMs is 200 ms; 1.5 s later the publish and the state are still waiting.
    expect({ settled: settled === 'pending' ? 'pending' : 'settled', state }).toEqual({ settled: 'settled', state: 'failed' });
  });

  it('authCallback throws synchronously: the provider reports failed + the error instead of throwing out of its effect', async () => {
    const throwing = (): string => {
      throw new Error('not logged in');
    };
    const uncaught: unknown[] = [];
    const onError = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onError);
    let renderError: unknown;
    try {
      render(h(PulseProvider, { options: { kbId: 'kb', authCallback: throwing } }, h(Probe)));
      await act(async () => {
        await sleep(20);
      });
    } catch (e) {
      renderError = e;
    } finally {
      process.off('uncaughtException', onError);
    }
    expect({ renderError: (renderError as Error | undefined)?.message, uncaught: uncaught.length, state, errorCode }).toEqual({
      renderError: undefined,
      uncaught: 0,
      state: 'failed',
      errorCode: 'invalid_response',
    });
  });
});
