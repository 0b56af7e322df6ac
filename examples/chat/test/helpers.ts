// Shared by the chat tests: bundle the page from the packages' sources (no build needed), and
// wait for conditions on the local service without sleeping.
import { fileURLToPath } from 'node:url';
import type { PulseService } from '@openkbs-pulse/mock-server';

const source = (path: string) => fileURLToPath(new URL(`../../../packages/${path}`, import.meta.url));

/** esbuild aliases that bundle the workspace packages from src/. */
export const SOURCE_ALIAS: Record<string, string> = {
  'openkbs-pulse': source('client/src/index.ts'),
  '@openkbs-pulse/protocol': source('protocol/src/index.ts'),
};

/** Resolves once `predicate()` holds, re-checking after every service event; rejects after `timeoutMs`. */
export function serviceCondition(service: PulseService, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const events = ['connection', 'close', 'action'] as const;
    // Events are emitted before the service applies the action: check once it has.
    const onEvent = () => queueMicrotask(check);
    const check = () => {
      if (!predicate()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('condition not met in time'));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      for (const event of events) service.off(event, onEvent);
    };
    for (const event of events) service.on(event, onEvent);
    check();
  });
}
