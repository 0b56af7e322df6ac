// Server-rendered HTML of openkbs-pulse/react hydrated in a (happy-dom) document: the markup
// matches what the browser renders first (no hydration error), and only then, after hydration,
// the provider connects to the local service, once.
import { closeDomWindow } from './react-dom-globals.js';
import { createPulseService, type PulseService } from '@openkbs-pulse/mock-server';
import { act, waitFor } from '@testing-library/react';
import { createElement as h, StrictMode, type ReactNode } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PulseProvider, useConnectionState, usePresence, type PulseProviderOptions } from '../src/react/index.js';
import { tokenFor } from './int-helpers.js';

let service: PulseService;
let root: Root | undefined;
beforeEach(async () => {
  service = await createPulseService({ host: '127.0.0.1' });
});
afterEach(async () => {
  act(() => root?.unmount());
  root = undefined;
  await service.close();
});
afterAll(closeDomWindow);

function Status(): ReactNode {
  const state = useConnectionState();
  const { count } = usePresence('lobby', { name: 'Ada' });
  return h('p', { id: 'status' }, `${state} ${count}`);
}

describe('openkbs-pulse/react hydration', () => {
  it('hydrates the server markup without a mismatch, then connects once', async () => {
    const options: PulseProviderOptions = { kbId: service.kbId, token: await tokenFor(service, 'ada'), endpoint: service.wsUrl };
    const tree = h(StrictMode, null, h(PulseProvider, { options }, h(Status)));
    const html = renderToString(tree);
    expect(html).toBe('<p id="status">connecting 0</p>');
    expect(service.connections()).toEqual([]);

    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const errors: unknown[] = [];
    act(() => {
      root = hydrateRoot(container, tree, { onRecoverableError: (error) => errors.push(error) });
    });
    await waitFor(() => expect(container.textContent).toBe('connected 1'));
    expect(errors).toEqual([]);
    expect(service.connections().map((c) => c.userId)).toEqual(['ada']);
    expect(service.connections()[0]?.presence).toEqual(['lobby']);
  });
});
